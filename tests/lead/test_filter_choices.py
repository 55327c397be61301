"""The dashboard's filter choices (organisations, cohorts, supervisors) found by probes that
cost the number of organisations, cohorts and supervisors are exactly those of the first
definition, which read every enrolment in scope: same set, same order, same labels, for
leads at each level, a lead who also supervises, supervisors and an administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, union
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.organisations import Cohort, Organisation
from app.models.users import User, UserRole
from app.services.accounts import organisations
from app.services.reporting import filter_choices
from app.services.reporting.filter_choices import (
    FilterChoices,
    _cohorts_statement,
    _descendants,
    _tree,
)
from app.services.reporting.scope import enrolment_ids, scope_for
from app.services.supervision import enrolments


def _first_definition(viewer: User) -> FilterChoices:
    """The choices as first defined: from every enrolment in scope."""
    scope = scope_for(viewer)
    in_scope = enrolment_ids(scope)
    trainee = aliased(User)
    trainee_orgs = select(trainee.organisation_id).where(
        trainee.id.in_(select(Enrolment.trainee_id).where(Enrolment.id.in_(in_scope)))
    )
    everyone = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.parent_id).order_by(
            Organisation.name, Organisation.id
        )
    ).all()
    visible = set(db.session.scalars(trainee_orgs))
    if scope.organisation_root_id is not None:
        visible |= _descendants(scope.organisation_root_id, everyone)
    found_organisations = [
        (org_id, f"{'- ' * depth}{name}")
        for org_id, name, depth in _tree(everyone)
        if org_id in visible
    ]
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name, Organisation.name)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .where(Cohort.id.in_(select(Enrolment.cohort_id).where(Enrolment.id.in_(in_scope))))
        .order_by(Cohort.name, Organisation.name)
    ).all()
    supervisor_ids = union(
        select(Enrolment.clinical_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
        select(Enrolment.education_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
    ).subquery()
    supervisors = db.session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(supervisor_ids.c.id)))
        .order_by(User.name, User.id)
    ).all()
    return FilterChoices(
        organisations=found_organisations,
        cohorts=[(cid, f"{name} ({org})") for cid, name, org in cohorts],
        supervisors=[(sid, name) for sid, name in supervisors],
    )


@pytest.fixture
def world(make_org, make_user, framework, today):
    """A region of two hubs and an organisation outside it; cohorts with current, finished
    and no enrolments; clinical and education supervisors, two of the same name, one who
    has since lost the supervisor role; a trainee with no organisation; and a hub lead who
    also supervises a trainee of the other hub."""
    region = make_org("Region", "region")
    hub_a = make_org("Anchor Hub", "training-hub", region)
    hub_b = make_org("Beacon Hub", "training-hub", region)
    a1 = make_org("Anchor Surgery", "practice", hub_a)
    a2 = make_org("Anchor Health Centre", "practice", hub_a)
    b1 = make_org("Beacon Surgery", "practice", hub_b)
    outside = make_org("Outside Trust", "other")

    def cohort(name, org):
        return organisations.create_cohort(name, org, framework_id=framework.id)

    spring_a, spring_b = cohort("Spring", hub_a), cohort("Spring", hub_b)
    autumn, empty, old = cohort("Autumn", hub_b), cohort("Empty", hub_a), cohort("Old", hub_a)
    outside_cohort = cohort("Outside intake", outside)

    def supervisor(name, org, number):
        return make_user(roles=("supervisor",), org=org, name=name, gphc=number)

    sam_a = supervisor("Sam Same", a1, "2000011")
    sam_b = supervisor("Sam Same", b1, "2000012")  # the same name: ordered by id
    edu = supervisor("Eve Education", a2, "2000013")
    far = supervisor("Fay Far", outside, "2000014")
    lost = supervisor("Lou Lost", a1, "2000015")
    both = make_user(roles=("lead", "supervisor"), org=hub_a, name="Bea Both", gphc="2000016")
    people = {
        "region": make_user(roles=("lead",), org=region, name="Rex Region"),
        "hub_a": make_user(roles=("lead",), org=hub_a, name="Ann Anchor"),
        "hub_b": make_user(roles=("lead",), org=hub_b, name="Ben Beacon"),
        "practice": make_user(roles=("lead",), org=a1, name="Pat Practice"),
        "outside": make_user(roles=("lead",), org=outside, name="Olly Outside"),
        "admin": make_user(roles=("admin",), name="Ada Admin"),
        "both": both,
        "sam_b": sam_b,
        "far": far,
        "edu": edu,
    }

    started = today - timedelta(days=100)
    plans = [
        # (trainee org, cohort, clinical, education, status)
        (a1, spring_a, sam_a, edu, "active"),
        (a2, None, lost, None, "paused"),
        (b1, spring_b, sam_b, None, "active"),
        (b1, autumn, sam_b, far, "active"),
        (outside, autumn, far, None, "active"),
        (outside, outside_cohort, far, None, "active"),
        (a1, old, far, None, "withdrawn"),
        (a2, old, sam_b, None, "completed"),
        (None, spring_b, both, None, "active"),
        (b1, None, far, both, "active"),
        (outside, None, both, None, "withdrawn"),
    ]
    for n, (org, intake, clinical, education, status) in enumerate(plans):
        trainee = make_user(org=org, name=f"Trainee {n}")
        enrolment = enrolments.enrol(
            trainee,
            framework,
            supervisor=clinical,
            education_supervisor=education,
            cohort=intake,
            started_on=started,
        )
        enrolment.status = status
    # The role goes after the enrolment named them: the enrolment still does.
    lost.role_rows = [r for r in lost.role_rows if r.role != "supervisor"]
    db.session.commit()
    assert db.session.scalar(select(UserRole).where(UserRole.user_id == lost.id)) is None
    assert empty.id is not None
    return people


VIEWERS = ("region", "hub_a", "hub_b", "practice", "outside", "admin", "both", "sam_b", "far")


@pytest.mark.parametrize("who", VIEWERS)
def test_the_choices_are_those_of_the_first_definition(world, who):
    viewer = world[who]
    assert filter_choices.filter_choices(viewer) == _first_definition(viewer)


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("probed", [True, False])
def test_probing_and_reading_the_scopes_enrolments_find_the_same_cohorts(world, who, probed):
    """The dashboard probes each cohort for a lead over most organisations and reads the
    enrolments otherwise; either way gives every viewer the same cohorts."""
    viewer = world[who]
    scope = scope_for(viewer)
    if scope.empty:
        return
    statement = _cohorts_statement(
        probed, scope.organisation_root_id is not None, scope.supervisor_id is not None
    )
    found = db.session.execute(
        statement, {"root_id": scope.organisation_root_id, "supervisor_id": scope.supervisor_id}
    ).all()
    first = _first_definition(viewer)
    assert [(cid, f"{name} ({org})") for cid, name, org in found] == first.cohorts


def _labels(choices: list[tuple[int, str]]) -> list[str]:
    return [label for _id, label in choices]


def test_a_hub_lead_who_supervises_sees_the_other_hubs_trainee_they_supervise(world):
    choices = filter_choices.filter_choices(world["both"])
    assert _labels(choices.organisations) == [
        "- Anchor Hub",
        "- - Anchor Health Centre",
        "- - Anchor Surgery",
        "- - Beacon Surgery",  # their supervised trainee's practice, outside their hub
    ]
    # Spring at Beacon holds their trainee with no organisation; Old holds only finished
    # enrolments and Empty none.
    assert _labels(choices.cohorts) == ["Spring (Anchor Hub)", "Spring (Beacon Hub)"]
    assert _labels(choices.supervisors) == [
        "Bea Both",
        "Eve Education",
        "Fay Far",
        "Lou Lost",
        "Sam Same",
    ]


def test_the_region_lead_sees_both_supervisors_of_one_name_and_no_one_outside(world):
    choices = filter_choices.filter_choices(world["region"])
    assert "Outside Trust" not in _labels(choices.organisations)
    assert _labels(choices.cohorts) == [
        "Autumn (Beacon Hub)",
        "Spring (Anchor Hub)",
        "Spring (Beacon Hub)",
    ]
    names = _labels(choices.supervisors)
    assert names == ["Bea Both", "Eve Education", "Fay Far", "Lou Lost", "Sam Same", "Sam Same"]
    sams = [sid for sid, name in choices.supervisors if name == "Sam Same"]
    assert sams == sorted(sams)


def test_a_supervisor_sees_the_organisations_and_cohorts_of_their_own_trainees(world):
    choices = filter_choices.filter_choices(world["far"])
    assert _labels(choices.organisations) == ["Outside Trust", "- - Beacon Surgery"]
    assert _labels(choices.cohorts) == ["Autumn (Beacon Hub)", "Outside intake (Outside Trust)"]
    assert _labels(choices.supervisors) == ["Bea Both", "Fay Far", "Sam Same"]


def test_an_administrator_has_nothing_to_choose(world):
    assert filter_choices.filter_choices(world["admin"]) == filter_choices.NO_CHOICES


def test_the_choices_take_four_queries_and_five_for_a_supervisor(world, count_queries):
    for who, expected in (("region", 4), ("both", 5)):
        viewer = world[who]
        viewer.has_role("lead")  # roles loaded before counting
        with count_queries() as counted:
            filter_choices.filter_choices(viewer)
        assert counted.count == expected, counted.statements


def _id(choices: list[tuple[int, str]], label: str) -> int:
    return next(i for i, name in choices if name.endswith(label))


def test_an_organisation_or_cohort_chosen_lists_the_supervisors_of_its_trainees(world):
    region = world["region"]
    every = filter_choices.filter_choices(region)
    beacon = _id(every.organisations, "Beacon Hub")
    assert _labels(filter_choices.filter_choices(region, beacon).supervisors) == [
        "Bea Both",  # the education supervisor of a Beacon Surgery trainee
        "Fay Far",
        "Sam Same",
    ]
    autumn = _id(every.cohorts, "Autumn (Beacon Hub)")
    assert _labels(filter_choices.filter_choices(region, cohort_id=autumn).supervisors) == [
        "Fay Far",
        "Sam Same",
    ]
    # A choice that is not theirs narrows nothing: the whole scope's supervisors stay.
    outside = filter_choices.filter_choices(world["outside"]).organisations[0][0]
    assert filter_choices.filter_choices(region, outside) == every


def test_too_many_trainees_to_list_their_supervisors_leave_only_the_chosen_one(world, monkeypatch):
    region = world["region"]
    listed = filter_choices.filter_choices(region)
    monkeypatch.setattr(filter_choices, "SUPERVISORS_LISTED_UP_TO", 2)
    choices = filter_choices.filter_choices(region)
    assert choices.supervisors == []
    assert choices.supervisors_listed is False
    assert (choices.organisations, choices.cohorts) == (listed.organisations, listed.cohorts)

    far = world["far"]
    chosen = filter_choices.filter_choices(region, supervisor_id=far.id)
    assert chosen.supervisors == [(far.id, "Fay Far")]
    # Someone who supervises nobody in scope is not a choice, listed or not.
    admin = world["admin"]
    assert filter_choices.filter_choices(region, supervisor_id=admin.id).supervisors == []
    # One practice's trainees are few enough to list.
    practice = _id(choices.organisations, "Anchor Surgery")
    narrowed = filter_choices.filter_choices(region, practice)
    assert narrowed.supervisors_listed is True
    assert _labels(narrowed.supervisors) == ["Eve Education", "Sam Same"]


def test_too_many_organisations_to_list_open_one_level_at_a_time(world, monkeypatch):
    region = world["region"]
    everything = filter_choices.filter_choices(region)
    assert everything.organisations_listed is True
    monkeypatch.setattr(filter_choices, "ORGANISATIONS_LISTED_UP_TO", 3)
    top = filter_choices.filter_choices(region)
    assert top.organisations_listed is False
    assert _labels(top.organisations) == ["Region", "- Anchor Hub", "- Beacon Hub"]
    assert top.cohorts == everything.cohorts

    # Choosing a hub opens it; a practice chosen by link opens the way down to it.
    anchor = _id(everything.organisations, "Anchor Hub")
    assert _labels(filter_choices.filter_choices(region, anchor).organisations) == [
        "Region",
        "- Anchor Hub",
        "- - Anchor Health Centre",
        "- - Anchor Surgery",
        "- Beacon Hub",
    ]
    beacon_surgery = _id(everything.organisations, "Beacon Surgery")
    chosen = filter_choices.filter_choices(region, beacon_surgery)
    assert _labels(chosen.organisations) == [
        "Region",
        "- Anchor Hub",
        "- Beacon Hub",
        "- - Beacon Surgery",
    ]
    # One the viewer does not see opens nothing.
    outside = filter_choices.filter_choices(world["outside"]).organisations[0][0]
    assert filter_choices.filter_choices(region, outside).organisations == top.organisations


def test_a_supervisors_trainee_of_no_organisation_opens_nothing(world, monkeypatch):
    monkeypatch.setattr(filter_choices, "ORGANISATIONS_LISTED_UP_TO", 1)
    both = world["both"]  # supervises a trainee of no organisation
    choices = filter_choices.filter_choices(both)
    assert "- Anchor Hub" in _labels(choices.organisations)
