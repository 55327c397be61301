"""The lead's list of supervisors who cannot sign reads only the supervisors whose latest
registration could block (the database leaves out those whose registration stands), and
is exactly the list the first definition gave, which judged every supervisor in Python:
checked on supervisors in every registration state, with history, malformed numbers and
the boundary days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.organisations import Organisation
from app.models.registration import Registration
from app.models.users import User, UserRole
from app.services.accounts.organisations import subtree_ids
from app.services.clock import uk_today
from app.services.registration import signers
from app.services.registration.records import facts_of, registration_status_for
from app.services.registration.signature_gates import registration_gaps
from app.services.registration.signers import (
    SIGN_OFF_REGISTERS,
    BlockedSigner,
    _technician_only,
    signer_registration_words,
)


def _first_definition(viewer: User, today: date) -> list[BlockedSigner]:
    """The list as first defined: every active supervisor in the subtree, judged here."""
    if not viewer.has_role("lead") or viewer.organisation_id is None:
        return []
    people = db.session.execute(
        select(User.id, User.name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == "supervisor",
            User.active.is_(True),
            User.organisation_id.in_(subtree_ids(viewer.organisation_id)),
        )
        .order_by(User.name, User.id)
    ).all()
    statuses = registration_status_for([user_id for user_id, _ in people], today)
    blocked = []
    for user_id, name in people:
        facts = facts_of(statuses[user_id].registration)  # type: ignore[arg-type]
        if registration_gaps(facts, today, SIGN_OFF_REGISTERS) and not _technician_only(
            facts, today
        ):
            words = signer_registration_words(facts, today, SIGN_OFF_REGISTERS, whose="Their")
            blocked.append(BlockedSigner(user_id, name, words))
    return blocked


def _good(today: date, **changes) -> dict:
    values = {
        "register": "pharmacist",
        "number": "2000001",
        "status": "registered",
        "registered_on": date(2015, 1, 15),
        "expires_on": today + timedelta(days=200),
        "verified_on": today,
    }
    values.update(changes)
    return values


def _states(today: date) -> dict[str, list[dict]]:
    """Each supervisor's registration rows, oldest first ([] for none); the last counts."""
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    # Seven digits and a newline: only SQLite stores 8 characters in the column, and only
    # the length check tells it from a good number there (its REGEXP's `$` allows it).
    newline = "2000001\n" if db.engine.dialect.name == "sqlite" else "200001\n"
    return {
        "stands": [_good(today)],
        "expires today": [_good(today, expires_on=today)],
        "starts today": [_good(today, registered_on=today)],
        "no start day": [_good(today, registered_on=None)],
        "none recorded": [],
        "expired yesterday": [_good(today, expires_on=yesterday)],
        "no expiry": [_good(today, expires_on=None)],
        "starts tomorrow": [_good(today, registered_on=tomorrow)],
        "trainee": [_good(today, status="trainee", number=None, registered_on=None)],
        "lapsed": [_good(today, status="lapsed")],
        "removed": [_good(today, status="removed")],
        "no number": [_good(today, number=None)],
        "empty number": [_good(today, number="")],
        "unverified": [_good(today, verified_on=None, verifier="nobody")],
        "verified by themselves": [_good(today, verifier="self")],
        "technician stands": [_good(today, register="pharmacy-technician", number="5000001")],
        "technician expired": [
            _good(today, register="pharmacy-technician", number="5000001", expires_on=yesterday)
        ],
        "technician number on pharmacist register": [_good(today, number="5000001")],
        "pharmacist number on technician register": [
            _good(today, register="pharmacy-technician", number="2000001")
        ],
        # Malformed numbers the services refuse but the table could still hold.
        "six digits": [_good(today, number="200001")],
        "a letter": [_good(today, number="20O0001")],
        "a space": [_good(today, number="2 00001")],
        "a trailing newline": [_good(today, number=newline)],
        "other digits": [_good(today, number="2\u0661\u0662\u0663\u0664\u0665\u0666")],
        "premises number": [_good(today, number="1000001")],
        "renewed after expiring": [_good(today, expires_on=yesterday), _good(today)],
        "changed and not yet verified": [_good(today), _good(today, verifier="nobody")],
        "lapsed after standing": [_good(today), _good(today, status="lapsed")],
    }


@pytest.fixture
def world(make_org, make_user, register_checker):
    """A lead over a hub holding a supervisor in every state, and people the list leaves
    out: an inactive supervisor, one outside the hub, a lead who is not a supervisor."""
    today = uk_today()
    region = make_org("Region", "region")
    hub = make_org("Hub", "training-hub", region)
    practice = make_org("Practice", "practice", hub)
    elsewhere = make_org("Elsewhere", "training-hub", region)
    lead = make_user(roles=("lead",), org=hub, name="Lena Lead")
    make_user(roles=("lead",), org=practice, name="Lee Nosupervisor")
    people: dict[str, User] = {}
    for n, (state, rows) in enumerate(_states(today).items()):
        person = make_user(roles=("supervisor",), org=practice if n % 2 else hub, name=state)
        people[state] = person
        for row in rows:
            values = dict(row)
            verifier = values.pop("verifier", "checker")
            verified_by = {"checker": register_checker.id, "self": person.id, "nobody": None}
            db.session.add(
                Registration(user_id=person.id, verified_by_id=verified_by[verifier], **values)
            )
    # Two people of one name, ordered by id; the list leaves out the inactive and the
    # supervisor outside the lead's hub, blocked as they are.
    for name in ("Same Name", "Same Name"):
        people[f"{name} {len(people)}"] = make_user(roles=("supervisor",), org=practice, name=name)
    inactive = make_user(roles=("supervisor",), org=practice, name="Inactive")
    inactive.active = False
    make_user(roles=("supervisor",), org=elsewhere, name="Outside the hub")
    db.session.commit()
    return {"lead": lead, "region": make_user(roles=("lead",), org=region), **people}


BLOCKED = {
    "none recorded",
    "expired yesterday",
    "no expiry",
    "starts tomorrow",
    "trainee",
    "lapsed",
    "removed",
    "no number",
    "empty number",
    "unverified",
    "verified by themselves",
    "technician expired",
    "technician number on pharmacist register",
    "pharmacist number on technician register",
    "six digits",
    "a letter",
    "a space",
    "a trailing newline",
    "other digits",
    "premises number",
    "changed and not yet verified",
    "lapsed after standing",
    "Same Name",
}


@pytest.mark.parametrize("who", ["lead", "region", "stands"])
def test_the_list_is_the_first_definitions_for_every_registration_state(world, who):
    today = uk_today()
    viewer = world[who]
    found = signers.blocked_signers_for(viewer, today)
    assert (found.listed, found.more) == (_first_definition(viewer, today), False)


def test_every_supervisor_in_every_state_has_the_standing_their_registrations_give(world):
    from app.services.registration import signer_standing

    assert signer_standing.first_difference() is None


def test_everyone_who_cannot_sign_is_listed_and_nobody_else(world):
    found = signers.blocked_signers_for(world["lead"], uk_today()).listed
    assert {b.name for b in found} == BLOCKED
    same = [b.user_id for b in found if b.name == "Same Name"]
    assert len(same) == 2
    assert same == sorted(same)
    assert [b.name for b in found] == sorted(b.name for b in found)


def test_the_rules_judge_only_supervisors_whose_registration_could_block(world, monkeypatch):
    judged: list[int] = []
    real = signers.registration_status_for

    def recording(user_ids, today):
        judged.extend(user_ids)
        return real(user_ids, today)

    monkeypatch.setattr(signers, "registration_status_for", recording)
    signers.blocked_signers_for(world["lead"], uk_today())
    names = {db.session.get(User, user_id).name for user_id in judged}
    # The pharmacy technician whose registration stands is judged (it does not stand for
    # a sign-off) and then not listed; every registration that stands is left out.
    assert names == BLOCKED | {"technician stands"}


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_day_decides_as_the_rule_does_around_an_expiry(world, offset):
    """Judged on other days, the boundaries move with `today` in SQL as in the rule."""
    day = uk_today() + timedelta(days=offset)
    found = signers.blocked_signers_for(world["lead"], day).listed
    assert found == _first_definition(world["lead"], day)


@pytest.mark.parametrize("limit", [1, 3, len(BLOCKED) - 1, len(BLOCKED), len(BLOCKED) + 1])
def test_a_short_list_is_the_first_by_name_and_says_whether_more_cannot_sign(
    world, limit, monkeypatch
):
    monkeypatch.setattr(signers, "JUDGED_AT_ONCE", 4)  # several batches, some unneeded
    everyone = _first_definition(world["lead"], uk_today())
    found = signers.blocked_signers_for(world["lead"], uk_today(), limit=limit)
    assert found.listed == everyone[:limit]
    assert found.more is (len(everyone) > limit)


def test_the_list_narrows_to_the_organisation_chosen_inside_the_leads_own(world):
    today = uk_today()
    named = {o.name: o.id for o in db.session.scalars(select(Organisation))}
    lead, region_lead = world["lead"], world["region"]
    everyone = _first_definition(lead, today)
    in_practice = [
        b for b in everyone if db.session.get(User, b.user_id).organisation_id == named["Practice"]
    ]
    assert 0 < len(in_practice) < len(everyone)
    assert signers.blocked_signers_for(lead, today, within=named["Practice"]).listed == in_practice
    assert signers.blocked_signers_for(lead, today, within=named["Hub"]).listed == everyone
    # Another hub: its supervisor is listed for the region's lead, never for the hub's.
    elsewhere = named["Elsewhere"]
    found = signers.blocked_signers_for(region_lead, today, within=elsewhere)
    assert [b.name for b in found.listed] == ["Outside the hub"]
    outside = signers.blocked_signers_for(lead, today, within=elsewhere)
    assert (outside.listed, outside.more) == ([], False)
