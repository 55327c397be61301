"""Revalidation readiness rules at their boundaries (no app, no database)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta

import pytest

from app.services.registration.revalidation_rules import (
    GPHC_STANDARDS,
    CpdEntry,
    PeerDeclaration,
    PeerDiscussionEntry,
    ReflectiveAccountEntry,
    RevalidationReadiness,
    RevalidationRecords,
    RevalidationRules,
    RevalidationYear,
    describe_standards,
    format_days_left,
    peer_declaration_problems,
    revalidation_readiness,
    revalidation_year,
)
from app.services.rule_results import RuleResult

EXPIRES = date(2025, 12, 31)  # year: 1 Nov 2024 - 31 Oct 2025
YEAR_START = date(2024, 11, 1)
DEADLINE = date(2025, 10, 31)
TODAY = date(2025, 6, 1)
IN_YEAR = date(2025, 3, 10)
DAY = timedelta(days=1)
REQUIRED = frozenset({1, 5})
PEER = PeerDeclaration("Sam Patel", "Clinical pharmacist", True, True, True)


def records(
    planned: int = 2,
    unplanned: int = 2,
    peers: int = 1,
    accounts: tuple[frozenset[int], ...] = (frozenset({1}),),
    on: date = IN_YEAR,
) -> RevalidationRecords:
    return RevalidationRecords(
        cpd=[CpdEntry(on, True)] * planned + [CpdEntry(on, False)] * unplanned,
        peer_discussions=[PeerDiscussionEntry(on, PEER)] * peers,
        reflective_accounts=[ReflectiveAccountEntry(on, s) for s in accounts],
    )


def readiness(recorded: RevalidationRecords | None = None, **kwargs) -> RevalidationReadiness:
    arguments = {"expires_on": EXPIRES, "today": TODAY, "required_standards": REQUIRED} | kwargs
    return revalidation_readiness(records() if recorded is None else recorded, **arguments)


def requirement(result: RevalidationReadiness, key: str) -> RuleResult:
    (found,) = (r for r in result.requirements if r.key == key)
    return found


# --- The registration year --------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_on", "starts_on", "ends_on"),
    [
        pytest.param(EXPIRES, YEAR_START, DEADLINE, id="31-dec"),
        pytest.param(date(2025, 4, 30), date(2024, 3, 1), date(2025, 2, 28), id="30-apr"),
        pytest.param(date(2024, 4, 30), date(2023, 3, 1), date(2024, 2, 29), id="30-apr-leap"),
        pytest.param(date(2025, 3, 15), date(2024, 1, 16), date(2025, 1, 15), id="mid-month"),
        pytest.param(date(2025, 8, 31), date(2024, 7, 1), date(2025, 6, 30), id="31-aug"),
    ],
)
def test_year_ends_at_the_renewal_deadline(
    expires_on: date, starts_on: date, ends_on: date
) -> None:
    assert revalidation_year(expires_on) == RevalidationYear(starts_on, ends_on)


@pytest.mark.parametrize("expiry_day", [(4, 30), (12, 31), (3, 15), (8, 31), (5, 1)])
def test_consecutive_years_neither_overlap_nor_leave_gaps(expiry_day: tuple[int, int]) -> None:
    month, day = expiry_day
    years = [revalidation_year(date(year, month, day)) for year in range(2022, 2030)]
    for earlier, later in itertools.pairwise(years):
        assert later.starts_on == earlier.ends_on + DAY


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        pytest.param(YEAR_START - DAY, False, id="previous-deadline"),
        pytest.param(YEAR_START, True, id="day-after-previous-deadline"),
        pytest.param(DEADLINE, True, id="deadline-day"),
        pytest.param(DEADLINE + DAY, False, id="day-after-deadline"),
    ],
)
def test_a_record_counts_in_the_year_by_its_date(day: date, inside: bool) -> None:
    assert revalidation_year(EXPIRES).contains(day) is inside
    result = readiness(records(on=day))
    assert result.ready is inside
    assert result.planned_cpd == (2 if inside else 0)


# --- Normal rule ------------------------------------------------------------------------


def test_a_complete_year_is_ready() -> None:
    result = readiness()
    assert result.ready
    assert [r.key for r in result.requirements] == [
        "cpd-records",
        "planned-cpd",
        "peer-discussion",
        "reflective-account",
    ]
    assert (result.planned_cpd, result.unplanned_cpd) == (2, 2)
    assert (result.peer_discussions, result.reflective_accounts) == (1, 1)
    assert result.deadline == DEADLINE
    assert not any(r.warning for r in result.requirements)


@pytest.mark.parametrize(
    ("planned", "unplanned", "met"),
    [
        pytest.param(2, 1, False, id="3-cpd"),
        pytest.param(2, 2, True, id="4-cpd"),
        pytest.param(4, 0, True, id="4-planned"),
        pytest.param(2, 5, True, id="7-cpd"),
        pytest.param(0, 0, False, id="none"),
    ],
)
def test_four_cpd_records(planned: int, unplanned: int, met: bool) -> None:
    result = readiness(records(planned=planned, unplanned=unplanned))
    assert requirement(result, "cpd-records").met is met
    assert requirement(result, "cpd-records").detail == (
        f"{planned + unplanned} of 4 CPD records ({planned} planned, {unplanned} unplanned)"
    )


@pytest.mark.parametrize(
    ("planned", "met"),
    [
        pytest.param(0, False, id="0-planned"),
        pytest.param(1, False, id="1-planned"),
        pytest.param(2, True, id="2-planned"),
        pytest.param(3, True, id="3-planned"),
    ],
)
def test_two_planned_cpd_records(planned: int, met: bool) -> None:
    # Always 4 in total, so only the planned rule can fail.
    result = readiness(records(planned=planned, unplanned=4 - planned))
    assert requirement(result, "planned-cpd").met is met
    assert requirement(result, "planned-cpd").detail == f"{planned} of 2 planned CPD records"
    assert result.ready is met


@pytest.mark.parametrize(("peers", "met"), [(0, False), (1, True), (2, True)])
def test_one_peer_discussion(peers: int, met: bool) -> None:
    result = readiness(records(peers=peers))
    assert requirement(result, "peer-discussion").met is met
    assert result.ready is met


def test_a_peer_discussion_with_an_incomplete_declaration_does_not_count() -> None:
    conflicted = dataclasses.replace(PEER, no_conflict_of_interest=False)
    recorded = dataclasses.replace(
        records(peers=0), peer_discussions=[PeerDiscussionEntry(IN_YEAR, conflicted)]
    )
    peer = requirement(readiness(recorded), "peer-discussion")
    assert not peer.met
    assert peer.detail == (
        "0 of 1 peer discussion (1 recorded, but the peer declaration is incomplete)"
    )


@pytest.mark.parametrize(
    ("accounts", "met"),
    [
        pytest.param((), False, id="none"),
        pytest.param((frozenset({2}),), False, id="other-standard"),
        pytest.param((frozenset(),), False, id="no-standard"),
        pytest.param((frozenset({1}),), True, id="one-required"),
        pytest.param((frozenset({5}),), True, id="the-other-required"),
        pytest.param((frozenset({2, 5}),), True, id="mixed"),
        pytest.param((frozenset({2}), frozenset({1})), True, id="second-account"),
    ],
)
def test_reflective_account_must_address_a_required_standard(
    accounts: tuple[frozenset[int], ...], met: bool
) -> None:
    result = readiness(records(accounts=accounts))
    assert requirement(result, "reflective-account").met is met
    assert result.ready is met


def test_reflective_account_wording() -> None:
    reflective = requirement(readiness(records(accounts=(frozenset({2}),))), "reflective-account")
    assert reflective.name == "At least 1 reflective account addressing standards 1 or 5"
    assert reflective.detail == "0 of 1 account; 1 more written for other standards only"
    single = requirement(readiness(required_standards={1}), "reflective-account")
    assert single.name.endswith("addressing standard 1 (Provide person-centred care)")


def test_unset_standards_leave_the_account_rule_unchecked_never_met() -> None:
    result = readiness(records(accounts=(frozenset({2}),)), required_standards=())
    reflective = requirement(result, "reflective-account")
    assert (reflective.met, reflective.unchecked, reflective.label) == (
        False,
        True,
        "Could not be checked",
    )
    assert "not configured" in reflective.detail
    assert not result.ready
    assert not result.standards_checked


def test_with_everything_else_met_unset_standards_make_the_year_unchecked_not_ready() -> None:
    result = readiness(records(), required_standards=())
    assert [r.key for r in result.requirements if not r.met] == ["reflective-account"]
    assert (result.ready, result.status) == (False, "unchecked")
    assert readiness(records(), required_standards={1}).status == "ready"


def test_unset_standards_with_another_rule_unmet_are_not_ready() -> None:
    result = readiness(records(peers=0), required_standards=())
    assert result.status == "not_ready"


def test_an_empty_year_lists_everything_missing() -> None:
    result = readiness(RevalidationRecords())
    assert not result.ready
    assert [r.met for r in result.requirements] == [False, False, False, False]


# --- Exceptional circumstances ----------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "unplanned", "accounts", "ready"),
    [
        pytest.param(1, 0, (frozenset({1}),), True, id="floor-met"),
        pytest.param(0, 3, (frozenset({1}),), False, id="unplanned-only"),
        pytest.param(1, 0, (), False, id="no-account"),
        pytest.param(1, 0, (frozenset({2}),), False, id="account-wrong-standard"),
        pytest.param(0, 0, (), False, id="nothing"),
    ],
)
def test_exceptional_circumstances_lower_the_rule_to_its_floor(
    planned: int, unplanned: int, accounts: tuple[frozenset[int], ...], ready: bool
) -> None:
    recorded = records(planned=planned, unplanned=unplanned, peers=0, accounts=accounts)
    result = readiness(recorded, exceptional_circumstances=True)
    assert result.exceptional_circumstances
    assert [r.key for r in result.requirements] == ["planned-cpd", "reflective-account"]
    assert result.ready is ready
    assert not readiness(recorded).ready  # the same records fail the normal rule


def test_exceptional_wording_names_the_floor() -> None:
    planned = requirement(readiness(exceptional_circumstances=True), "planned-cpd")
    assert (planned.name, planned.detail) == ("At least 1 planned", "2 of 1 planned CPD record")


def test_counts_are_configurable() -> None:
    rules = RevalidationRules(cpd_records=6, planned_cpd_records=3, peer_discussions=2)
    result = readiness(records(planned=3, unplanned=3, peers=2), rules=rules)
    assert result.ready
    assert not readiness(records(planned=2, unplanned=4, peers=2), rules=rules).ready
    assert requirement(result, "cpd-records").detail.startswith("6 of 6 CPD records")


# --- Days left --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "days_left", "wording"),
    [
        pytest.param(DEADLINE - DAY, 1, "1 day left, until 31 October 2025", id="eve"),
        pytest.param(DEADLINE, 0, "Due today, 31 October 2025", id="deadline-day"),
        pytest.param(
            DEADLINE + DAY, -1, "The deadline passed 1 day ago, on 31 October 2025", id="passed"
        ),
        pytest.param(TODAY, 152, "152 days left, until 31 October 2025", id="months-ahead"),
    ],
)
def test_days_left_until_the_deadline(today: date, days_left: int, wording: str) -> None:
    result = readiness(today=today)
    assert result.days_left == days_left
    assert format_days_left(result.days_left, result.deadline) == wording


def test_leap_year_deadline_days_left() -> None:
    result = readiness(expires_on=date(2024, 4, 30), today=date(2024, 2, 1), required_standards={1})
    assert result.deadline == date(2024, 2, 29)
    assert result.days_left == 28


# --- Peer declaration -------------------------------------------------------------------


def test_a_complete_peer_declaration_has_no_problems() -> None:
    assert peer_declaration_problems(PEER) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"peer_name": "  "}, "Give the peer's name"),
        ({"peer_role": ""}, "Give the peer's role"),
        ({"not_a_relative": False}, "Confirm that the peer is not a relative"),
        ({"not_a_partner": False}, "Confirm that the peer is not your partner"),
        ({"no_conflict_of_interest": False}, "Confirm that the peer has no conflict of interest"),
    ],
)
def test_each_peer_declaration_problem(changes: dict, problem: str) -> None:
    assert peer_declaration_problems(dataclasses.replace(PEER, **changes)) == [problem]


def test_every_peer_declaration_problem_at_once() -> None:
    blank = PeerDeclaration("", "", False, False, False)
    assert len(peer_declaration_problems(blank)) == 5


# --- Standards ---------------------------------------------------------------------------


def test_the_nine_standards() -> None:
    assert sorted(GPHC_STANDARDS) == list(range(1, 10))
    assert GPHC_STANDARDS[9] == "Demonstrate leadership"
    assert describe_standards([6, 1]) == "standards 1 or 6"
    assert describe_standards([3, 1, 2]) == "standards 1, 2 or 3"
    assert describe_standards([9]) == "standard 9 (Demonstrate leadership)"


@pytest.mark.parametrize("confirmations", list(itertools.product([True, False], repeat=3)))
def test_a_peer_is_confirmed_exactly_when_no_confirmation_is_missing(confirmations):
    declaration = PeerDeclaration("Sam Patel", "Clinical pharmacist", *confirmations)
    assert declaration.peer_confirmed is (peer_declaration_problems(declaration) == [])
