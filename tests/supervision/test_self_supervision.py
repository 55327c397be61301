"""Nobody supervises themselves: one rule, met the same way wherever it is tried.

A person may hold the trainee and supervisor roles at once. They are never enrolled as
their own clinical or education supervisor (the admin and lead pages, `flask enrol`), and
an enrolment recorded that way before the rule existed gives them nothing: they cannot
review their own evidence (pages and API), record a session with themselves, sign off
or complete their own training, or verify or declare their own records. Every refusal
reads `SELF_SUPERVISION` and writes nothing: no record, no audit event, no notification.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models.enrolments import Enrolment, SupervisorAssignment
from app.models.notifications import Notification
from app.models.reviews import Review
from app.models.signoffs import Completion, SignOff
from app.models.supervision import SupervisionSession
from app.models.users import User
from app.services.accounts import api_tokens
from app.services.registration import records as registration
from app.services.reporting import summary_upkeep
from app.services.supervision import completion, enrolments, reviews, signoffs
from app.services.supervision import sessions as supervision_sessions
from app.services.supervision.access import (
    SELF_SUPERVISION,
    SelfSupervision,
    refuse_self_supervision,
)
from tests.supervision.conftest import (
    audit_actions,
    competency,
    count,
    error_summary,
    fresh,
    soup,
)


@pytest.fixture
def dual(make_user, org) -> User:
    """A pharmacist who is training too: both roles, and a pharmacist number."""
    return make_user(roles=("trainee", "supervisor"), org=org, gphc="2000005", name="Dee Dual")


def recorded_as_their_own_supervisor(enrolment: Enrolment) -> Enrolment:
    """What an enrolment made before the rule may hold: its trainee as their own clinical
    and education supervisor. Written to the row directly, as the services now refuse it."""
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .values(
            clinical_supervisor_id=enrolment.trainee_id,
            education_supervisor_id=enrolment.trainee_id,
        )
    )
    summary_upkeep.touch([enrolment.id])  # no flush sees a bulk UPDATE
    db.session.commit()
    db.session.refresh(enrolment)
    return enrolment


@pytest.fixture
def own_enrolment(enrol, dual, small_framework) -> Enrolment:
    return recorded_as_their_own_supervisor(enrol(dual, small_framework))


@pytest.fixture
def own_evidence(submitted, own_enrolment):
    return submitted(own_enrolment, "reflective-account", ["B1"])


@pytest.fixture
def as_dual(app, login, dual):
    client = app.test_client()
    login(client, dual)
    return client


def refusal(call) -> SelfSupervision:
    with pytest.raises(SelfSupervision) as caught:
        call()
    db.session.rollback()
    assert caught.value.message == SELF_SUPERVISION
    return caught.value


def written() -> dict[str, object]:
    """Everything a refused action might have left behind."""
    return {
        "enrolments": count(Enrolment),
        "assignments": count(SupervisorAssignment),
        "reviews": count(Review),
        "sessions": count(SupervisionSession),
        "sign-offs": count(SignOff),
        "completions": count(Completion),
        "notifications": count(Notification),
        "audit": audit_actions(),
    }


# --- The rule, and the services that call it ---------------------------------------------


def test_the_rule_refuses_the_same_person_and_nobody_else(dual, supervisor):
    refuse_self_supervision(supervisor.id, dual.id)
    error = refusal(lambda: refuse_self_supervision(dual.id, dual.id, field="supervisor"))
    assert error.field == "supervisor"
    assert SELF_SUPERVISION == (
        "Nobody can supervise themselves: a trainee's supervisor must be someone else"
    )


def test_nobody_is_enrolled_as_their_own_supervisor(dual, small_framework):
    before = written()
    error = refusal(lambda: enrolments.enrol(dual, small_framework, supervisor=dual))
    assert error.field == "supervisor"
    assert written() == before


@pytest.mark.parametrize("kind", ["clinical", "education"])
def test_nobody_is_made_their_own_clinical_or_education_supervisor(
    enrol, dual, small_framework, supervisor, kind
):
    enrolment = enrol(dual, small_framework)
    before = written()
    error = refusal(
        lambda: enrolments.assign_supervisor(enrolment, dual, kind=kind, actor=supervisor)
    )
    assert error.field == "supervisor"
    assert written() == before
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert (enrolment.clinical_supervisor_id, enrolment.education_supervisor_id) == (
        supervisor.id,
        None,
    )


def test_nobody_reviews_their_own_evidence_even_when_recorded_as_their_supervisor(
    dual, own_evidence
):
    before = written()
    refusal(lambda: reviews.evidence_for_reviewer(dual, own_evidence.id))
    refusal(
        lambda: reviews.record_review(
            own_evidence,
            reviewer=dual,
            decision="accepted",
            comment="",
            version_number=own_evidence.current_version_number,
        )
    )
    assert written() == before
    assert db.session.get(type(own_evidence), own_evidence.id).status == "submitted"


def test_nobody_records_a_supervision_session_with_themselves(dual, own_enrolment):
    before = written()
    refusal(
        lambda: supervision_sessions.record_session(
            own_enrolment,
            supervisor=dual,
            held_on=date(2025, 2, 4),
            duration_minutes=30,
            topics="My own progress",
            today=date(2025, 3, 1),
        )
    )
    assert written() == before


def test_nobody_signs_off_or_completes_their_own_training(enrol, dual, small_framework, ready):
    own_enrolment = enrol(dual, small_framework)
    ready(own_enrolment, "B1")  # accepted by their real supervisor
    recorded_as_their_own_supervisor(own_enrolment)
    before = written()
    refusal(
        lambda: signoffs.sign_off(
            own_enrolment,
            competency(own_enrolment, "B1"),
            signer=dual,
            outcome_code="competent",
            comment="I can do this now.",
            authenticated_at=fresh(),
        )
    )
    refusal(
        lambda: completion.complete(
            own_enrolment, signer=dual, authenticated_at=fresh(), today=date.today()
        )
    )
    assert written() == before


def test_nobody_verifies_their_own_registration(dual, own_enrolment, registered):
    row = registered(dual, verified_by_id=None, verified_on=None)
    before = written()
    refusal(lambda: registration.verify_registration(dual, row.id, actor=dual, today=date.today()))
    assert written() == before
    assert db.session.get(type(row), row.id).verified_by_id is None


# --- Enrolment pages: administrators and leads --------------------------------------------


def enrol_form(framework, supervisor: User) -> dict:
    return {
        "framework": framework.id,
        "supervisor": supervisor.id,
        "cohort": "",
        "started_on[day]": "1",
        "started_on[month]": "9",
        "started_on[year]": "2026",
        "expected_end_on[day]": "",
        "expected_end_on[month]": "",
        "expected_end_on[year]": "",
    }


def summary_links(page) -> list[tuple[str, str | None]]:
    return [
        (item.get_text(" ", strip=True), (item.find("a") or {}).get("href"))
        for item in page.select(".nhsuk-error-summary__list li")
    ]


@pytest.fixture
def hub_lead(make_user, org):
    return make_user(roles=("lead",), org=org.parent, name="Lee Lead")


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_the_enrolment_form_refuses_the_trainee_as_their_own_supervisor(
    app, login, make_user, hub_lead, dual, small_framework, role
):
    client = app.test_client()
    login(client, hub_lead if role == "lead" else make_user(roles=("admin",)))
    path = f"/admin/trainees/{dual.id}/enrolment"
    offered = [o.get_text() for o in soup(client.get(path)).select("#supervisor option")]
    assert any(name.startswith("Dee Dual") for name in offered)
    before = written()
    response = client.post(path, data=enrol_form(small_framework, dual))
    assert response.status_code == 200
    page = soup(response)
    assert summary_links(page) == [(SELF_SUPERVISION, "#supervisor")]
    assert SELF_SUPERVISION in page.select_one("#supervisor-error").get_text()
    assert written() == before
    assert enrolments.active_enrolment(dual.id) is None


@pytest.mark.parametrize("kind", ["clinical", "education"])
def test_the_lead_cannot_assign_the_trainee_as_their_own_supervisor(
    app, login, hub_lead, enrol, dual, small_framework, supervisor, kind
):
    enrolment = enrol(dual, small_framework)
    client = app.test_client()
    login(client, hub_lead)
    before = written()
    response = client.post(
        f"/admin/trainees/{dual.id}/supervisors", data={"kind": kind, "supervisor": dual.id}
    )
    assert response.status_code == 200
    page = soup(response)
    assert summary_links(page) == [(SELF_SUPERVISION, "#supervisor")]
    assert written() == before
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert enrolment.clinical_supervisor_id == supervisor.id
    assert enrolment.education_supervisor_id is None


# --- The command line ----------------------------------------------------------------------


def test_flask_enrol_refuses_the_trainee_as_their_own_supervisor_in_one_line(
    runner, dual, small_framework
):
    before = written()
    result = runner.invoke(
        args=[
            "enrol",
            "--trainee",
            dual.email,
            "--framework",
            small_framework.code,
            "--supervisor",
            dual.email,
        ]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: {SELF_SUPERVISION}\n"
    assert written() == before


# --- Supervising pages and the API, on an enrolment recorded as supervised by themselves ----


def test_the_review_page_refuses_their_own_evidence_and_records_nothing(as_dual, own_evidence):
    path = f"/supervision/evidence/{own_evidence.id}/review"
    before = written()
    for response in (
        as_dual.get(path),
        as_dual.post(path, data={"decision": "accepted", "comment": "", "version": "1"}),
    ):
        assert response.status_code == 403
        page = soup(response)
        assert error_summary(page) == [SELF_SUPERVISION]
        assert page.select_one("[name=decision]") is None
    assert written() == before
    assert db.session.scalar(select(Review.id)) is None


def test_the_session_page_refuses_a_session_with_themselves_and_records_nothing(
    as_dual, own_enrolment
):
    path = f"/supervision/enrolments/{own_enrolment.id}/sessions/new"
    before = written()
    form = {
        "held_on[day]": "4",
        "held_on[month]": "2",
        "held_on[year]": "2025",
        "duration_minutes": "40",
        "topics": "My own progress",
    }
    for response in (as_dual.get(path), as_dual.post(path, data=form)):
        assert response.status_code == 403
        assert error_summary(soup(response)) == [SELF_SUPERVISION]
    assert written() == before


def test_their_own_record_offers_no_supervising_actions(as_dual, own_enrolment):
    page = soup(as_dual.get(f"/supervision/enrolments/{own_enrolment.id}"))
    assert page.select_one("h1").get_text(strip=True) == "My supervision record"
    links = [a["href"] for a in page.select("a[href]")]
    assert not [href for href in links if "/sessions/new" in href or "/sign-off" in href]
    assert not [href for href in links if href.endswith("/complete")]


def test_the_api_refuses_a_review_of_their_own_evidence_with_403_and_the_message(
    client, dual, own_evidence
):
    token = api_tokens.create_token(dual, "tests")
    db.session.commit()
    before = written()
    response = client.post(
        f"/api/v1/evidence/{own_evidence.id}/reviews",
        json={"decision": "accepted", "comment": ""},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert response.get_json() == {
        "error": {"code": "forbidden", "message": SELF_SUPERVISION, "fields": {}}
    }
    assert written() == before
    assert db.session.get(type(own_evidence), own_evidence.id).status == "submitted"
