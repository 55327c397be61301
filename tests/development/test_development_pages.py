"""The development plan's pages, read as people read them: through the rendered HTML."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.development import DevelopmentObjective, LearningNeedsAnalysis, ObjectiveReview
from app.services.clock import uk_today
from app.services.development import learning_needs, stages
from tests.development.conftest import add_objective, rate_all
from tests.supervision.conftest import banners, competency, count, error_summary, soup, text_of


def date_fields(name: str, day) -> dict[str, str]:
    return {
        f"{name}[day]": str(day.day),
        f"{name}[month]": str(day.month),
        f"{name}[year]": str(day.year),
    }


@pytest.fixture
def as_trainee(signed_in, trainee):
    return signed_in(trainee)


@pytest.fixture
def as_supervisor(signed_in, supervisor):
    return signed_in(supervisor)


@pytest.fixture
def lead(make_user, org):
    return make_user(roles=("lead",), org=org.parent, name="Lee Lead")


# --- The trainee's pages -------------------------------------------------------------------


def test_the_trainee_home_links_to_the_development_plan(as_trainee, enrolment):
    page = soup(as_trainee.get("/portfolio/"))
    assert page.select_one("#your-development a")["href"] == "/portfolio/development"
    assert text_of(page, "#pathway-stage") == "Not recorded yet: your supervisor records it"


def test_the_trainee_home_shows_the_stage_reached_and_since_when(as_trainee, enrolment):
    stages.record_stage(
        enrolment,
        actor=enrolment.clinical_supervisor,
        stage="intermediate",
        started_on=enrolment.started_on,
        today=uk_today(),
    )
    db.session.commit()
    page = soup(as_trainee.get("/portfolio/"))
    since = enrolment.started_on
    assert text_of(page, "#pathway-stage") == (f"Intermediate, since {since.day} {since:%B %Y}")


def test_the_plan_tags_an_objective_due_yesterday_overdue_and_one_due_today_open(
    as_trainee, enrolment
):
    today = uk_today()
    yesterday = today - timedelta(days=1)
    due_yesterday = add_objective(enrolment, target_on=yesterday, today=yesterday)
    due_today = add_objective(enrolment, target_on=today, today=today)
    page = soup(as_trainee.get("/portfolio/development"))
    assert text_of(page, f"#objective-{due_yesterday.id} .nhsuk-tag") == "Overdue"
    assert text_of(page, f"#objective-{due_today.id} .nhsuk-tag") == "Open"
    assert page.select_one(f"#objective-{due_today.id}")["data-overdue"] == "no"


def test_rating_learning_needs_needs_every_competency(as_trainee, enrolment):
    b1, b2 = competency(enrolment, "B1"), competency(enrolment, "B2")
    response = as_trainee.post(
        "/portfolio/development/learning-needs", data={f"rating_{b1.id}": "competent"}
    )
    assert response.status_code == 200
    assert error_summary(soup(response)) == [
        "Choose how you rate yourself for B2 Reconciles medicines on discharge"
    ]
    assert count(LearningNeedsAnalysis) == 0

    response = as_trainee.post(
        "/portfolio/development/learning-needs",
        data={f"rating_{b1.id}": "competent", f"rating_{b2.id}": "not-yet"},
    )
    assert response.status_code == 302
    page = soup(as_trainee.get(response.headers["Location"]))
    assert [
        [cell.get_text(strip=True) for cell in row.select("td")]
        for row in page.select("#needs-ratings tbody tr")
    ] == [
        ["B1 Explains how to use an inhaler", "Competent"],
        ["B2 Reconciles medicines on discharge", "Not yet competent"],
    ]
    assert text_of(page, "#needs-comment") == "No comment from a supervisor yet."


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            {"target_on[day]": "31", "target_on[month]": "2", "target_on[year]": "2030"},
            "Target date must be a real date",
        ),
        ({}, "Enter the target date"),
        ("yesterday", "The target date must be today or in the future"),
    ],
    ids=["impossible-date", "no-date", "yesterday"],
)
def test_a_bad_target_date_is_explained_and_nothing_is_added(
    as_trainee, enrolment, target, message
):
    if target == "yesterday":
        target = date_fields("target_on", uk_today() - timedelta(days=1))
    response = as_trainee.post(
        "/portfolio/development/objectives/new",
        data={
            "description": "Lead the inhaler clinic.",
            "competencies": [str(competency(enrolment, "B1").id)],
            **target,
        },
    )
    assert response.status_code == 200
    assert error_summary(soup(response)) == [message]
    assert count(DevelopmentObjective) == 0


def test_an_objective_due_today_is_added_from_the_form(as_trainee, enrolment):
    response = as_trainee.post(
        "/portfolio/development/objectives/new",
        data={
            "description": "Lead the inhaler clinic.",
            "competencies": [str(competency(enrolment, "B2").id)],
            **date_fields("target_on", uk_today()),
        },
    )
    assert response.status_code == 302
    objective = db.session.scalar(select(DevelopmentObjective))
    assert objective.target_on == uk_today()
    assert [c.code for c in objective.competencies] == ["B2"]


def test_an_objective_without_a_competency_or_description_is_refused(as_trainee, enrolment):
    response = as_trainee.post(
        "/portfolio/development/objectives/new", data=date_fields("target_on", uk_today())
    )
    assert error_summary(soup(response)) == [
        "Describe what you want to achieve",
        "Choose at least one competency this objective develops",
    ]
    assert count(DevelopmentObjective) == 0


# --- The supervisor's and lead's pages -----------------------------------------------------


def test_the_supervision_record_links_each_viewer_to_their_plan_page(
    as_trainee, as_supervisor, enrolment
):
    path = f"/supervision/enrolments/{enrolment.id}"
    supervisor_link = soup(as_supervisor.get(path)).select_one("#development-link a")["href"]
    assert supervisor_link == f"/supervision/enrolments/{enrolment.id}/development"
    trainee_link = soup(as_trainee.get(path)).select_one("#development-link a")["href"]
    assert trainee_link == "/portfolio/development"


def test_the_supervisors_comment_agrees_the_analysis(as_supervisor, as_trainee, enrolment):
    rate_all(enrolment, "not-yet")
    base = f"/supervision/enrolments/{enrolment.id}/development"
    page = soup(as_supervisor.get(base))
    assert page.select_one(f'a[href="{base}/learning-needs/comment"]') is not None

    empty = as_supervisor.post(f"{base}/learning-needs/comment", data={"comment": "  "})
    assert error_summary(soup(empty)) == ["Enter your comment on the trainee's learning needs"]

    saved = as_supervisor.post(
        f"{base}/learning-needs/comment", data={"comment": "Start with B1 at the clinic."}
    )
    assert saved.status_code == 302
    trainee_page = soup(as_trainee.get("/portfolio/development"))
    assert text_of(trainee_page, "#needs-comment") == "Start with B1 at the clinic."
    assert trainee_page.select_one('a[href="/portfolio/development/learning-needs"]') is None
    again = as_trainee.get("/portfolio/development/learning-needs")
    assert again.status_code == 302
    assert "no longer change" in banners(soup(as_trainee.get(again.headers["Location"])))


def test_a_supervisor_reviews_an_objective_as_achieved(as_supervisor, enrolment):
    objective = add_objective(enrolment, target_on=uk_today(), today=uk_today())
    path = f"/supervision/enrolments/{enrolment.id}/development/objectives/{objective.id}/review"
    missing = as_supervisor.post(path, data={"comment": "Well done."})
    assert error_summary(soup(missing)) == ["Choose whether the objective is achieved or continues"]
    done = as_supervisor.post(path, data={"outcome": "achieved", "comment": "Ran it alone."})
    assert done.status_code == 302
    db.session.refresh(objective)
    assert (objective.status, objective.achieved_on) == ("achieved", uk_today())
    page = soup(as_supervisor.get(path))
    assert page.select_one("#objective-review-form") is None
    assert "is achieved" in text_of(page, "#objective-achieved")


def test_an_objective_of_another_enrolment_is_not_found(
    as_supervisor, enrolment, enrol, make_user, org
):
    other = enrol(make_user(roles=("trainee",), org=org), enrolment.framework)
    theirs = add_objective(other, target_on=uk_today(), today=uk_today())
    path = f"/supervision/enrolments/{enrolment.id}/development/objectives/{theirs.id}/review"
    assert as_supervisor.get(path).status_code == 404


def test_a_lead_records_the_stage_and_a_future_date_is_refused(signed_in, lead, enrolment, trainee):
    client = signed_in(lead)
    path = f"/supervision/enrolments/{enrolment.id}/development/stage"
    future = client.post(
        path, data={"stage": "entry", **date_fields("started_on", uk_today() + timedelta(days=1))}
    )
    assert error_summary(soup(future)) == ["The date the stage began must be today or in the past"]
    assert stages.stages_for(enrolment.id) == []

    done = client.post(path, data={"stage": "entry", **date_fields("started_on", uk_today())})
    assert done.status_code == 302
    page = soup(client.get(f"/supervision/enrolments/{enrolment.id}/development"))
    assert text_of(page, "#current-stage").startswith("Entry stage")
    # A lead sees the plan but neither comments nor reviews.
    assert page.select_one('a[href$="/learning-needs/comment"]') is None


def test_a_session_form_offers_open_objectives_and_records_their_review(as_supervisor, enrolment):
    today = uk_today()
    objective = add_objective(enrolment, target_on=today, today=today)
    path = f"/supervision/enrolments/{enrolment.id}/sessions/new"
    page = soup(as_supervisor.get(path))
    assert page.select_one(f'input[name="objectives"][value="{objective.id}"]') is not None
    response = as_supervisor.post(
        path,
        data={
            **date_fields("held_on", today),
            "duration_minutes": "30",
            "topics": "The inhaler clinic",
            "objectives": [str(objective.id)],
        },
    )
    assert response.status_code == 302
    review = db.session.scalar(select(ObjectiveReview))
    assert (review.objective_id, review.outcome, review.reviewed_on) == (
        objective.id,
        "continuing",
        today,
    )
    assert learning_needs.analysis_for(enrolment.id) is None
