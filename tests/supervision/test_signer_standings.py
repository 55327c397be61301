"""Each supervisor's stored standing (the days their latest registration stands for a
sign-off) is written in the transaction that changes their registration or their role,
and always equals a fresh computation (`signer_standing.first_difference`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models.registration import SignerStanding
from app.services.accounts import users
from app.services.clock import uk_today
from app.services.registration import records, signer_standing
from app.services.registration.records import RegistrationDetails


def standing(person) -> tuple | None:
    db.session.expire_all()
    row = db.session.get(SignerStanding, person.id)
    return None if row is None else (row.stands_from, row.stands_until)


def test_a_supervisors_standing_follows_their_registration_and_role(make_user, register_checker):
    today = uk_today()
    admin = make_user(roles=("admin",))
    person = make_user(roles=("supervisor",), name="Sol Supervisor")
    assert standing(person) == (None, None)  # nothing recorded: stands on no day

    joined, expires = date(2023, 3, 1), date(2025, 12, 31)  # days the rules accept
    details = RegistrationDetails("pharmacist", "registered", "2012345", joined, expires)
    registration = records.record_registration(person, details, actor=admin)
    db.session.commit()
    assert standing(person) == (None, None)  # not verified yet
    records.verify_registration(person, registration.id, actor=admin, today=today)
    db.session.commit()
    assert standing(person) == (joined, expires)

    lapsed = RegistrationDetails("pharmacist", "lapsed", "2012345", joined, expires)
    records.record_registration(person, lapsed, actor=admin)
    db.session.commit()
    assert standing(person) == (None, None)

    # Someone who is no longer a supervisor has no row; a new supervisor has one at once.
    users.set_roles(person, ["lead"], actor=admin)
    db.session.commit()
    assert standing(person) is None
    users.set_roles(person, ["lead", "supervisor"], actor=admin)
    db.session.commit()
    assert standing(person) == (None, None)
    assert signer_standing.first_difference() is None


def test_a_change_rolled_back_leaves_the_standing_as_it_was(make_user):
    admin = make_user(roles=("admin",))
    person = make_user(roles=("supervisor",), gphc="2054321")
    before = standing(person)
    assert before is not None
    assert before[0] is not None
    details = RegistrationDetails("pharmacist", "removed", "2054321", None, None)
    records.record_registration(person, details, actor=admin)
    db.session.rollback()
    assert standing(person) == before
    assert signer_standing.first_difference() is None


def test_a_rebuild_writes_every_supervisors_row_again(make_user):
    people = [make_user(roles=("supervisor",), gphc=f"20{n:05d}") for n in range(3)]
    make_user(roles=("trainee",))
    expected = {person.id: standing(person) for person in people}
    db.session.execute(SignerStanding.__table__.delete())
    signer_standing.rebuild()
    db.session.commit()
    assert {person.id: standing(person) for person in people} == expected
    assert db.session.scalar(select(func.count()).select_from(SignerStanding)) == 3


def test_erasing_a_supervisor_leaves_a_standing_that_matches(make_user):
    from app.services.privacy import erasure

    admin = make_user(roles=("admin",))
    person = make_user(roles=("supervisor",), gphc="2076543")
    assert standing(person)[0] is not None
    erasure.erase_person(person, actor=admin)
    db.session.commit()
    assert signer_standing.first_difference() is None
    assert standing(person) in (None, (None, None))
