"""Objectives of the development plan: target dates, competencies, reviews (on their own
or at a supervision session), and when an objective is overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.development import DevelopmentObjective, ObjectiveReview
from app.models.supervision import SupervisionSession
from app.services.development import objectives
from app.services.errors import DomainError
from app.services.supervision import sessions as supervision_sessions
from app.services.supervision.access import SelfSupervision
from tests.development.conftest import add_objective
from tests.supervision.conftest import audit_actions, competency, count

TODAY = date(2025, 6, 10)


def add(enrolment, **changes):
    values = {
        "trainee": enrolment.trainee,
        "description": "Run the inhaler clinic on my own.",
        "target_on": TODAY + timedelta(days=30),
        "competency_ids": [competency(enrolment, "B1").id],
        "today": TODAY,
    }
    values.update(changes)
    objective = objectives.add_objective(enrolment, **values)
    db.session.commit()
    return objective


def test_an_objective_is_added_with_its_competencies_and_audited(enrolment):
    objective = add(
        enrolment,
        competency_ids=[competency(enrolment, "B2").id, competency(enrolment, "B1").id],
    )
    assert objective.status == "open"
    assert [c.code for c in objectives.objectives_for(enrolment.id)[0].competencies] == [
        "B1",
        "B2",
    ]
    assert audit_actions()[-1] == "objective.added"


def test_a_target_date_of_today_is_accepted(enrolment):
    assert add(enrolment, target_on=TODAY).target_on == TODAY


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_on": TODAY - timedelta(days=1)}, "target_on", "today or in the future"),
        ({"target_on": None}, "target_on", "Enter the target date"),
        ({"description": "  "}, "description", "Describe what you want to achieve"),
        ({"competency_ids": []}, "competencies", "at least one competency"),
    ],
    ids=["target-yesterday", "no-target", "no-description", "no-competency"],
)
def test_bad_objectives_are_refused_on_their_field(enrolment, changes, field, message):
    with pytest.raises(DomainError, match=message) as error:
        add(enrolment, **changes)
    assert error.value.field == field
    db.session.rollback()
    assert count(DevelopmentObjective) == 0


def test_a_competency_of_another_framework_is_refused(enrolment, framework):
    other = framework.domains[0].competencies[0]
    with pytest.raises(DomainError, match="competencies of your framework"):
        add(enrolment, competency_ids=[other.id])


@pytest.mark.parametrize(
    ("target_on", "overdue"),
    [
        (TODAY + timedelta(days=1), False),
        (TODAY, False),
        (TODAY - timedelta(days=1), True),
    ],
    ids=["due-tomorrow", "due-today", "due-yesterday"],
)
def test_an_open_objective_is_overdue_only_after_its_target_date(enrolment, target_on, overdue):
    objective = add_objective(enrolment, target_on=target_on, today=target_on)
    assert objectives.is_overdue(objective, TODAY) is overdue
    # The same rule in SQL, as the lead's dashboard and exports count it.
    expected = {enrolment.id: 1} if overdue else {}
    assert objectives.overdue_counts([enrolment.id], TODAY) == expected


def test_an_achieved_objective_is_never_overdue(enrolment, supervisor):
    objective = add_objective(enrolment, target_on=date(2025, 5, 1), today=date(2025, 5, 1))
    objectives.review_objective(
        enrolment,
        objective,
        reviewer=supervisor,
        outcome="achieved",
        comment="Ran two clinics alone.",
        today=TODAY,
    )
    db.session.commit()
    assert (objective.status, objective.achieved_on) == ("achieved", TODAY)
    assert not objectives.is_overdue(objective, TODAY)
    assert objectives.overdue_counts([enrolment.id], TODAY) == {}


def test_a_review_that_continues_keeps_the_objective_open_and_audits(enrolment, supervisor):
    objective = add(enrolment)
    review = objectives.review_objective(
        enrolment,
        objective,
        reviewer=supervisor,
        outcome="continuing",
        comment="One more supervised clinic first.",
        today=TODAY,
    )
    db.session.commit()
    assert objective.status == "open"
    assert review.reviewed_on == TODAY
    assert review.session_id is None
    assert audit_actions()[-1] == "objective.reviewed"


@pytest.mark.parametrize(
    ("outcome", "comment", "field"),
    [(None, "Fine.", "outcome"), ("maybe", "Fine.", "outcome"), ("achieved", " ", "comment")],
)
def test_a_review_needs_an_outcome_and_a_comment(enrolment, supervisor, outcome, comment, field):
    objective = add(enrolment)
    with pytest.raises(DomainError) as error:
        objectives.review_objective(
            enrolment, objective, reviewer=supervisor, outcome=outcome, comment=comment, today=TODAY
        )
    assert error.value.field == field
    db.session.rollback()
    assert count(ObjectiveReview) == 0


def test_an_achieved_objective_is_not_reviewed_again(enrolment, supervisor):
    objective = add(enrolment)

    def review():
        objectives.review_objective(
            enrolment,
            objective,
            reviewer=supervisor,
            outcome="achieved",
            comment="Done.",
            today=TODAY,
        )

    review()
    db.session.commit()
    assert not objectives.may_review(objective)
    with pytest.raises(DomainError, match="already achieved"):
        review()
    db.session.rollback()
    assert count(ObjectiveReview) == 1


def test_only_the_trainees_supervisors_review_objectives(enrolment, make_user, org):
    objective = add(enrolment)
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000009")
    with pytest.raises(DomainError, match="Only the trainee's supervisors"):
        objectives.review_objective(
            enrolment,
            objective,
            reviewer=stranger,
            outcome="continuing",
            comment="Hm.",
            today=TODAY,
        )
    with pytest.raises(SelfSupervision):
        objectives.review_objective(
            enrolment,
            objective,
            reviewer=enrolment.trainee,
            outcome="achieved",
            comment="Done.",
            today=TODAY,
        )


def record_session(enrolment, objective_ids):
    session = supervision_sessions.record_session(
        enrolment,
        supervisor=enrolment.clinical_supervisor,
        held_on=date(2025, 6, 2),
        duration_minutes=45,
        topics="Inhaler clinic",
        today=TODAY,
        objectives_reviewed=objective_ids,
    )
    db.session.commit()
    return session


def test_a_supervision_session_records_the_objectives_it_reviewed(enrolment):
    first, second, third = (add(enrolment) for _ in range(3))
    session = record_session(enrolment, [first.id, third.id])
    reviews = db.session.scalars(select(ObjectiveReview).order_by(ObjectiveReview.id)).all()
    assert [(r.objective_id, r.session_id, r.reviewed_on, r.outcome) for r in reviews] == [
        (first.id, session.id, date(2025, 6, 2), "continuing"),
        (third.id, session.id, date(2025, 6, 2), "continuing"),
    ]
    assert audit_actions()[-3:] == [
        "supervision_session.recorded",
        "objective.reviewed",
        "objective.reviewed",
    ]
    assert second.reviews == []


def test_a_session_naming_an_objective_not_open_on_the_plan_records_nothing(
    enrolment, enrol, make_user, org
):
    mine = add(enrolment)
    other_trainee = make_user(roles=("trainee",), org=org)
    theirs = add(enrol(other_trainee, enrolment.framework))
    with pytest.raises(DomainError, match="still open") as error:
        record_session(enrolment, [mine.id, theirs.id])
    assert error.value.field == "objectives"
    db.session.rollback()
    assert count(SupervisionSession) == 0
    assert count(ObjectiveReview) == 0


def test_overdue_counts_cover_many_trainees_in_one_query(
    enrolment, enrol, make_user, org, count_queries
):
    other = enrol(make_user(roles=("trainee",), org=org), enrolment.framework)
    for target in (date(2025, 6, 1), date(2025, 6, 9), TODAY):
        add_objective(enrolment, target_on=target, today=target)
    add_objective(other, target_on=date(2025, 6, 9), today=date(2025, 6, 9))
    ids = [enrolment.id, other.id]
    with count_queries() as queries:
        counts = objectives.overdue_counts(ids, TODAY)
    assert counts == dict(zip(ids, (2, 1), strict=True))
    assert queries.count == 1
