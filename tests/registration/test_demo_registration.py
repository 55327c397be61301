"""The registration demo that `demo seed` adds: what it shows, and that reruns are safe."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo.seed_registration import (
    ELIGIBLE,
    NOT_ELIGIBLE,
    TECHNICIAN,
    seed_registration_demo,
)
from app.extensions import db
from app.models.base import utcnow
from app.models.registration import TrainingWeek
from app.models.users import User
from app.services.accounts import users as accounts
from app.services.pathway import training_log
from app.services.registration import records as registration
from app.services.registration import revalidation
from app.services.registration.overview import people_overview


def _seed(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result


def _person(email: str) -> User:
    person = accounts.find_user_by_email(email)
    assert person is not None
    return person


def test_the_demo_logins_include_the_registration_people(runner):
    output = _seed(runner).output
    for person in (ELIGIBLE, NOT_ELIGIBLE, TECHNICIAN):
        assert person.email in output


def test_one_pre_registration_trainee_is_eligible_and_one_is_not(runner):
    _seed(runner)
    today = utcnow().date()
    eligible = training_log.eligibility_for(_person(ELIGIBLE.email).id, today).result
    assert eligible.eligible
    assert eligible.counted_hours == 1300
    not_yet = training_log.eligibility_for(_person(NOT_ELIGIBLE.email).id, today).result
    assert [rule.key for rule in not_yet.unmet] == ["total-hours", "year-1-hours"]
    assert not_yet.counted_hours == 1100
    assert len(not_yet.not_counted) == 2


def test_the_technician_is_registered_with_renewal_due_and_records_to_finish(runner):
    _seed(runner)
    today = utcnow().date()
    technician = _person(TECHNICIAN.email)
    status = registration.registration_status(technician.id, today)
    assert status.flag == "renewal-due"
    assert status.verified
    panel = revalidation.revalidation_for(technician.id, today)
    assert len(panel.records) == 4
    assert not panel.readiness.ready


def test_the_demo_supervisor_oversees_the_registration_and_observation_trainees(runner):
    from app.demo.seed_observations import DEMO_OBSERVATION_PEOPLE

    _seed(runner)
    result = people_overview(_person("supervisor@example.org"), today=utcnow().date())
    # The demo trainee, the three registration people and the observation demo's trainees.
    assert result.total == 4 + len(DEMO_OBSERVATION_PEOPLE)


def test_seeding_twice_adds_nothing(runner):
    _seed(runner)
    weeks = db.session.scalar(select(func.count(TrainingWeek.id)))
    assert "nothing changed" in _seed(runner).output
    assert db.session.scalar(select(func.count(TrainingWeek.id))) == weeks
    assert seed_registration_demo() is False
