"""Fixtures for registration: a hub with a practice, a supervisor, an enrolled trainee,
leads inside and outside the organisation, and helpers that record registrations."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models.users import User
from app.services.registration import records as registration
from app.services.registration.records import RegistrationDetails
from app.services.supervision import enrolments

TODAY = date(2025, 6, 2)  # a Monday
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def hub(make_org):
    return make_org("North hub", "training-hub")


@pytest.fixture
def practice(make_org, hub):
    return make_org("Riverside practice", "practice", hub)


@pytest.fixture
def supervisor(make_user, practice) -> User:
    return make_user(roles=("supervisor",), org=practice, gphc="2000001", name="Sam Supervisor")


@pytest.fixture
def make_trainee(make_user, practice, supervisor, framework):
    """A trainee in the practice, enrolled with `supervisor` (or another one)."""

    def make(*, supervised_by: User | None = None, name: str | None = None, org=None) -> User:
        trainee = make_user(roles=("trainee",), org=org or practice, name=name)
        enrolments.enrol(
            trainee, framework, supervisor=supervised_by or supervisor, started_on=date(2025, 1, 6)
        )
        db.session.commit()
        return trainee

    return make


@pytest.fixture
def trainee(make_trainee) -> User:
    return make_trainee(name="Taylor Trainee")


@pytest.fixture
def lead(make_user, hub) -> User:
    return make_user(roles=("lead",), org=hub, name="Leigh Lead")


@pytest.fixture
def outside_lead(make_user, make_org) -> User:
    elsewhere = make_org("South hub", "training-hub")
    return make_user(roles=("lead",), org=elsewhere, name="Olly Outsider")


@pytest.fixture
def other_supervisor(make_user, practice) -> User:
    return make_user(roles=("supervisor",), org=practice, gphc="2000002", name="Una Unassigned")


def technician_details(
    number: str = "5012345",
    registered_on: date = date(2023, 3, 1),
    expires_on: date = date(2025, 12, 31),
    status: str = "registered",
) -> RegistrationDetails:
    return RegistrationDetails("pharmacy-technician", status, number, registered_on, expires_on)


@pytest.fixture
def register(app):
    """register(person, **details) records a technician registration and commits it."""

    def record(person: User, *, verified_by: User | None = None, **details):
        row = registration.record_registration(person, technician_details(**details), actor=person)
        if verified_by is not None:
            registration.verify_registration(person, row.id, actor=verified_by, today=TODAY)
        db.session.commit()
        return row

    return record


@pytest.fixture
def as_user(app, login):
    def signed_in(user):
        client = app.test_client()
        login(client, user)
        return client

    return signed_in
