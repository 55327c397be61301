"""The pathway stage: recorded by a supervisor or a lead over the trainee, with the day it
began, only ever moving forward."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models.development import PathwayStage
from app.services.development import stages
from app.services.errors import DomainError
from app.services.supervision.access import SelfSupervision
from tests.supervision.conftest import audit_actions, count

TODAY = date(2025, 6, 10)
STARTED = date(2025, 1, 6)  # the enrolment's start (tests/supervision/conftest.py)


def record(enrolment, stage="entry", started_on=STARTED, actor=None):
    row = stages.record_stage(
        enrolment,
        actor=actor or enrolment.clinical_supervisor,
        stage=stage,
        started_on=started_on,
        today=TODAY,
    )
    db.session.commit()
    return row


def test_the_supervisor_records_a_stage_with_its_date_and_it_is_audited(enrolment):
    record(enrolment, "entry", STARTED)
    current = stages.current_of(stages.stages_for(enrolment.id))
    assert (current.stage, current.started_on, current.label) == ("entry", STARTED, "Entry")
    assert audit_actions()[-1] == "pathway_stage.recorded"


@pytest.mark.parametrize(
    ("started_on", "accepted"),
    [
        (TODAY, True),
        (TODAY + timedelta(days=1), False),
        (STARTED, True),
        (STARTED - timedelta(days=1), False),
    ],
    ids=["today", "tomorrow", "training-start", "day-before-training"],
)
def test_a_stage_begins_within_the_training_so_far(enrolment, started_on, accepted):
    if accepted:
        assert record(enrolment, "entry", started_on).started_on == started_on
        return
    with pytest.raises(DomainError) as error:
        record(enrolment, "entry", started_on)
    assert error.value.field == "started_on"
    db.session.rollback()
    assert count(PathwayStage) == 0


@pytest.mark.parametrize(
    ("stage", "started_on", "field", "message"),
    [
        ("entry", date(2025, 4, 1), "stage", "already recorded"),
        ("intermediate", date(2025, 2, 28), "started_on", "cannot begin before the entry stage"),
        (None, date(2025, 4, 1), "stage", "Choose the stage"),
        ("expert", date(2025, 4, 1), "stage", "Choose the stage"),
        ("intermediate", None, "started_on", "Enter the date"),
    ],
    ids=["twice", "before-the-last", "no-stage", "unknown-stage", "no-date"],
)
def test_stages_are_recorded_once_and_in_order(enrolment, stage, started_on, field, message):
    record(enrolment, "entry", date(2025, 3, 1))
    with pytest.raises(DomainError, match=message) as error:
        record(enrolment, stage, started_on)
    assert error.value.field == field
    db.session.rollback()
    assert count(PathwayStage) == 1


def test_stages_never_move_back(enrolment):
    record(enrolment, "advanced", date(2025, 3, 1))
    with pytest.raises(DomainError, match="stages only move forward"):
        record(enrolment, "intermediate", date(2025, 4, 1))


def test_the_same_day_for_two_stages_keeps_the_later_one_current(enrolment):
    record(enrolment, "entry", date(2025, 3, 1))
    record(enrolment, "intermediate", date(2025, 3, 1))
    assert stages.current_stages([enrolment.id])[enrolment.id].stage == "intermediate"
    assert stages.current_of(stages.stages_for(enrolment.id)).stage == "intermediate"


def test_a_lead_over_the_trainee_records_the_stage_and_one_elsewhere_cannot(
    enrolment, make_user, make_org, org
):
    inside = make_user(roles=("lead",), org=org.parent)
    outside = make_user(roles=("lead",), org=make_org("Elsewhere", "training-hub"))
    with pytest.raises(DomainError, match="Only the trainee's supervisors or an education lead"):
        record(enrolment, actor=outside)
    db.session.rollback()
    assert record(enrolment, actor=inside).recorded_by_id == inside.id


def test_nobody_records_their_own_stage(enrolment):
    with pytest.raises(SelfSupervision):
        record(enrolment, actor=enrolment.trainee)


def test_current_stages_of_many_enrolments(enrolment, enrol, make_user, org):
    other = enrol(make_user(roles=("trainee",), org=org), enrolment.framework)
    none_yet = enrol(make_user(roles=("trainee",), org=org), enrolment.framework)
    record(enrolment, "entry", date(2025, 2, 1))
    record(enrolment, "intermediate", date(2025, 5, 1))
    record(other, "entry", date(2025, 3, 1))
    found = stages.current_stages([enrolment.id, other.id, none_yet.id])
    assert {k: (v.stage, v.started_on) for k, v in found.items()} == {
        enrolment.id: ("intermediate", date(2025, 5, 1)),
        other.id: ("entry", date(2025, 3, 1)),
    }
