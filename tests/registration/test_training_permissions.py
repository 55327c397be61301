"""What the training log pages offer, decided in `training_permissions`: which weeks a
declaration has locked, who may declare, and whose overview shows the log. Each answer
agrees with what `training_log` then does."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models.registration import TrainingDeclaration
from app.services.errors import DomainError
from app.services.pathway.training_declaration import declare_training
from app.services.pathway.training_log import (
    WeekEntry,
    declarations_for,
    delete_week,
    log_week,
    set_training_start,
    weeks_for,
)
from app.services.pathway.training_permissions import (
    covers,
    locked_week_ids,
    may_declare,
    shows_training_log,
)
from app.services.registration.records import RegistrationStatus
from app.services.supervision import enrolments
from tests.registration.conftest import TODAY

START = date(2025, 3, 3)  # a Monday
WEEK = timedelta(weeks=1)


@pytest.fixture
def logged(trainee):
    """The trainee with a training start and three weeks logged from it."""
    set_training_start(trainee, START, actor=trainee, today=TODAY)
    for n in range(3):
        entry = WeekEntry(START + WEEK * n, Decimal(35), Decimal(14), "Sam")
        log_week(trainee, entry, actor=trainee, today=TODAY)
    db.session.commit()
    return trainee


def declare(person, actor, *, period_end: date = START + WEEK + timedelta(days=6)):
    return declare_training(
        person,
        actor=actor,
        period_start=START,
        period_end=period_end,
        confirmed=True,
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("week_starting", "locked"),
    [
        (date(2025, 3, 2), False),
        (date(2025, 3, 3), True),
        (date(2025, 3, 16), True),
        (date(2025, 3, 17), False),
    ],
)
def test_a_declared_period_covers_the_weeks_starting_inside_it_both_ends_included(
    week_starting, locked
):
    declaration = TrainingDeclaration(period_start=date(2025, 3, 3), period_end=date(2025, 3, 16))
    assert covers(declaration, week_starting, None) is locked


@pytest.mark.parametrize(
    ("training_start", "locked"),
    [(date(2025, 3, 5), True), (date(2025, 3, 2), False)],
)
def test_the_week_the_training_starts_in_is_covered_from_the_start_day(training_start, locked):
    declaration = TrainingDeclaration(period_start=date(2025, 3, 5), period_end=date(2025, 3, 16))
    assert covers(declaration, date(2025, 3, 3), training_start) is locked


def test_the_weeks_a_declaration_covers_are_locked_and_refuse_removal(logged, supervisor):
    assert locked_week_ids(weeks_for(logged.id), declarations_for(logged.id), START) == frozenset()
    declare(logged, supervisor)
    db.session.commit()
    weeks = weeks_for(logged.id)
    locked = locked_week_ids(weeks, declarations_for(logged.id), START)
    assert sorted(w.week_starting for w in weeks if w.id in locked) == [START, START + WEEK]
    for week in weeks:
        if week.id in locked:
            with pytest.raises(DomainError, match="can no longer be changed"):
                delete_week(logged, week.id, actor=logged)
            db.session.rollback()
        else:
            delete_week(logged, week.id, actor=logged)
            db.session.commit()
    assert [w.week_starting for w in weeks_for(logged.id)] == [START + WEEK, START]


def test_the_clinical_supervisor_may_declare(logged, supervisor):
    assert may_declare(supervisor, logged)
    assert declare(logged, supervisor).declared_by_id == supervisor.id


@pytest.mark.parametrize("who", ["other_supervisor", "lead", "trainee"])
def test_nobody_else_may_declare_and_the_service_refuses_them(logged, request, who):
    actor = request.getfixturevalue(who)
    assert not may_declare(actor, logged)
    with pytest.raises(DomainError):
        declare(logged, actor)


def test_the_education_supervisor_may_declare(logged, other_supervisor, make_user):
    """The trainee may be directly accountable to a pharmacy technician, who is never their
    clinical supervisor (a pharmacist) but may be their education supervisor."""
    (enrolment,) = enrolments.enrolments_for(logged.id)
    assert not may_declare(other_supervisor, logged)
    enrolments.assign_supervisor(
        enrolment, other_supervisor, kind="education", actor=make_user(roles=("admin",))
    )
    db.session.commit()
    assert may_declare(other_supervisor, logged)
    assert declare(logged, other_supervisor).declared_by_id == other_supervisor.id


def test_no_declaration_once_the_enrolment_has_ended(logged, supervisor):
    (enrolment,) = enrolments.enrolments_for(logged.id)
    enrolment.status = "withdrawn"
    db.session.commit()
    assert not may_declare(supervisor, logged)
    with pytest.raises(DomainError, match="clinical or education supervisor"):
        declare(logged, supervisor)


@pytest.mark.parametrize(
    ("training_start", "flag", "shown"),
    [
        (None, "none", True),
        (None, "trainee", True),
        (None, "current", False),
        (None, "expired", False),
        (START, "current", True),
    ],
)
def test_the_overview_shows_the_training_log_to_someone_working_towards_registration(
    training_start, flag, shown
):
    status = RegistrationStatus(user_id=1, flag=flag, label="")
    assert shows_training_log(training_start, status) is shown
