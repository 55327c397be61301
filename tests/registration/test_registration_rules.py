"""Pure registration and Level 3 rules at their boundaries (no app, no database)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from app.services.calendar_months import add_months, add_months_rolling
from app.services.registration.rules import (
    CURRENCY_LABELS,
    QUALIFICATION_KIND_BY_KEY,
    QUALIFICATION_KINDS,
    QUALIFICATION_STATUS_LABELS,
    Currency,
    Level3Facts,
    RenewalRules,
    is_registration_day,
    qualification_choices,
    qualification_problems,
    registration_currency,
    registration_date_problems,
    renewal_deadline,
    renewal_position,
)
from app.services.registration.signature_gates import (
    RegistrationFacts,
    final_signoff_registration_problems,
)

TODAY = date(2025, 6, 1)
DAY = timedelta(days=1)


# --- Calendar months ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 12, 31), -2, date(2025, 10, 31)),
        (date(2025, 4, 30), -2, date(2025, 2, 28)),
        (date(2024, 4, 30), -2, date(2024, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 15), -3, date(2024, 12, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 1), -1, date(2024, 12, 1)),
        (date(2025, 6, 10), 0, date(2025, 6, 10)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 3, 1)),
        (date(2024, 2, 29), 24, date(2026, 3, 1)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 3, 1)),
        (date(2024, 12, 31), 2, date(2025, 3, 1)),
        (date(2023, 3, 1), 24, date(2025, 3, 1)),
        (date(2025, 1, 30), 1, date(2025, 3, 1)),
        (date(2024, 1, 30), 1, date(2024, 3, 1)),
        (date(2024, 1, 29), 1, date(2024, 2, 29)),
    ],
)
def test_add_months_rolling_moves_a_missing_day_forward(
    day: date, months: int, expected: date
) -> None:
    assert add_months_rolling(day, months) == expected


# --- Renewal deadline and currency -------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_on", "deadline"),
    [
        pytest.param(date(2025, 12, 31), date(2025, 10, 31), id="31-dec-to-31-oct"),
        pytest.param(date(2025, 4, 30), date(2025, 2, 28), id="30-apr-to-28-feb"),
        pytest.param(date(2024, 4, 30), date(2024, 2, 29), id="30-apr-to-29-feb-leap"),
        pytest.param(date(2025, 8, 31), date(2025, 6, 30), id="31-aug-to-30-jun"),
        pytest.param(date(2025, 5, 31), date(2025, 3, 31), id="31-may-to-31-mar"),
        pytest.param(date(2026, 1, 1), date(2025, 11, 1), id="across-new-year"),
        pytest.param(date(2025, 3, 15), date(2025, 1, 15), id="mid-month"),
    ],
)
def test_renewal_deadline_is_two_calendar_months_before_expiry(
    expires_on: date, deadline: date
) -> None:
    assert renewal_deadline(expires_on) == deadline


@pytest.mark.parametrize(
    ("expires_on", "today", "currency"),
    [
        # Expiry 31 Dec 2025: deadline 31 Oct 2025, notice from 31 Jul 2025.
        pytest.param(
            date(2025, 12, 31), date(2025, 7, 30), Currency.CURRENT, id="day-before-notice"
        ),
        pytest.param(date(2025, 12, 31), date(2025, 7, 31), Currency.RENEWAL_DUE, id="notice-day"),
        pytest.param(
            date(2025, 12, 31), date(2025, 10, 30), Currency.RENEWAL_DUE, id="deadline-eve"
        ),
        pytest.param(
            date(2025, 12, 31), date(2025, 10, 31), Currency.RENEWAL_DUE, id="deadline-day"
        ),
        pytest.param(
            date(2025, 12, 31), date(2025, 11, 1), Currency.OVERDUE, id="day-after-deadline"
        ),
        pytest.param(date(2025, 12, 31), date(2025, 12, 30), Currency.OVERDUE, id="expiry-eve"),
        pytest.param(date(2025, 12, 31), date(2025, 12, 31), Currency.OVERDUE, id="expiry-today"),
        pytest.param(
            date(2025, 12, 31), date(2026, 1, 1), Currency.EXPIRED, id="expired-yesterday"
        ),
        pytest.param(date(2025, 12, 31), date(2024, 1, 1), Currency.CURRENT, id="long-before"),
        # Leap year: expiry 30 Apr 2024 -> deadline 29 Feb 2024 -> notice from 29 Nov 2023.
        pytest.param(
            date(2024, 4, 30), date(2023, 11, 28), Currency.CURRENT, id="leap-before-notice"
        ),
        pytest.param(date(2024, 4, 30), date(2023, 11, 29), Currency.RENEWAL_DUE, id="leap-notice"),
        pytest.param(
            date(2024, 4, 30), date(2024, 2, 29), Currency.RENEWAL_DUE, id="leap-deadline"
        ),
        pytest.param(
            date(2024, 4, 30), date(2024, 3, 1), Currency.OVERDUE, id="leap-after-deadline"
        ),
        # Non-leap: expiry 30 Apr 2025 -> deadline 28 Feb 2025.
        pytest.param(
            date(2025, 4, 30), date(2025, 2, 28), Currency.RENEWAL_DUE, id="feb-28-deadline"
        ),
        pytest.param(date(2025, 4, 30), date(2025, 3, 1), Currency.OVERDUE, id="feb-28-passed"),
        # Expiry 31 Jul 2025 -> deadline 31 May 2025 -> notice clamps to 28 Feb 2025.
        pytest.param(
            date(2025, 7, 31), date(2025, 2, 27), Currency.CURRENT, id="notice-clamped-eve"
        ),
        pytest.param(
            date(2025, 7, 31), date(2025, 2, 28), Currency.RENEWAL_DUE, id="notice-clamped"
        ),
    ],
)
def test_currency_flags_at_every_boundary(
    expires_on: date, today: date, currency: Currency
) -> None:
    assert registration_currency(expires_on, today) is currency


@pytest.mark.parametrize(
    ("expires_on", "currency"),
    [
        pytest.param(TODAY, Currency.OVERDUE, id="expiring-today-still-valid"),
        pytest.param(TODAY - DAY, Currency.EXPIRED, id="expired-yesterday"),
        pytest.param(TODAY + DAY, Currency.OVERDUE, id="expiring-tomorrow"),
    ],
)
def test_expiry_today_is_valid_and_yesterday_is_expired(
    expires_on: date, currency: Currency
) -> None:
    assert registration_currency(expires_on, TODAY) is currency


def test_renewal_position_reports_dates_and_days() -> None:
    position = renewal_position(date(2025, 12, 31), date(2025, 10, 31))
    assert position.renewal_deadline == date(2025, 10, 31)
    assert position.notice_from == date(2025, 7, 31)
    assert position.days_to_deadline == 0
    assert position.days_to_expiry == 61
    after = renewal_position(date(2025, 12, 31), date(2026, 1, 1))
    assert (after.days_to_deadline, after.days_to_expiry) == (-62, -1)


def test_renewal_periods_are_configurable() -> None:
    rules = RenewalRules(renewal_lead_months=1, notice_months=2)
    position = renewal_position(date(2025, 12, 31), date(2025, 9, 30), rules)
    assert position.renewal_deadline == date(2025, 11, 30)
    assert position.notice_from == date(2025, 9, 30)
    assert position.currency is Currency.RENEWAL_DUE
    assert registration_currency(date(2025, 12, 31), date(2025, 9, 29), rules) is Currency.CURRENT


def test_every_currency_has_a_label() -> None:
    assert set(CURRENCY_LABELS) == set(Currency)
    assert Currency.OVERDUE.label == "Overdue for renewal"
    assert Currency("renewal-due") is Currency.RENEWAL_DUE


# --- Registration dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (date(2025, 3, 1), True),
        (date(2025, 3, 15), True),
        (date(2024, 2, 15), True),
        (date(2025, 3, 2), False),
        (date(2025, 3, 14), False),
        (date(2025, 3, 16), False),
        (date(2025, 3, 31), False),
        (date(2024, 2, 29), False),
    ],
)
def test_registration_day_is_the_1st_or_15th(day: date, valid: bool) -> None:
    assert is_registration_day(day) is valid
    assert (registration_date_problems(day, None, today=TODAY) == []) is valid


def test_registration_date_problem_names_the_date() -> None:
    assert registration_date_problems(date(2025, 3, 3), None, today=TODAY) == [
        "Registration dates fall on the 1st or the 15th of a month; 3 March 2025 is neither"
    ]


@pytest.mark.parametrize(
    ("registered_on", "expires_on", "problems"),
    [
        (date(2025, 3, 15), date(2026, 3, 14), 0),
        (date(2025, 3, 15), date(2025, 3, 16), 0),
        (date(2025, 3, 15), date(2025, 3, 15), 1),
        (date(2025, 3, 15), date(2025, 3, 14), 1),
        (date(2025, 3, 16), date(2025, 3, 15), 2),
        (None, date(2025, 3, 15), 0),
        (None, None, 0),
    ],
)
def test_expiry_must_follow_registration(
    registered_on: date | None, expires_on: date | None, problems: int
) -> None:
    assert len(registration_date_problems(registered_on, expires_on, today=TODAY)) == problems


# --- Final sign-off prerequisites --------------------------------------------------------

GOOD = RegistrationFacts(
    status="registered",
    number="5012345",
    registered_on=date(2024, 3, 15),
    expires_on=date(2026, 3, 14),
    verified=True,
)


def test_a_current_verified_registration_has_no_problems() -> None:
    assert final_signoff_registration_problems(GOOD, TODAY) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"status": "trainee"}, "Not yet registered with the GPhC: the record still says trainee"),
        ({"status": "lapsed"}, "The GPhC registration has lapsed"),
        ({"status": "removed"}, "The registration has been removed from the GPhC register"),
        ({"status": "suspended"}, "The registration status is not 'registered'"),
        ({"number": None}, "No GPhC registration number is recorded"),
        ({"number": ""}, "No GPhC registration number is recorded"),
        (
            {"number": "2012345"},
            "2012345 is not a pharmacy technician number (these are 7 digits starting with 5)",
        ),
        (
            {"number": "501234"},
            "501234 is not a pharmacy technician number (these are 7 digits starting with 5)",
        ),
        ({"verified": False}, "by a supervisor or lead"),
        ({"expires_on": None}, "No registration expiry date is recorded"),
        ({"expires_on": TODAY - DAY}, "The registration expired on 31 May 2025"),
        ({"registered_on": TODAY + DAY}, "The registration does not start until 2 June 2025"),
    ],
)
def test_each_unmet_prerequisite_is_reported(changes: dict, problem: str) -> None:
    problems = final_signoff_registration_problems(dataclasses.replace(GOOD, **changes), TODAY)
    assert len(problems) == 1
    assert problem in problems[0]


@pytest.mark.parametrize(
    ("expires_on", "blocked"),
    [
        pytest.param(TODAY - DAY, True, id="expired-yesterday"),
        pytest.param(TODAY, False, id="expires-today"),
        pytest.param(TODAY + timedelta(days=30), False, id="overdue-for-renewal"),
        pytest.param(TODAY + timedelta(days=80), False, id="renewal-due"),
    ],
)
def test_only_an_expired_registration_blocks(expires_on: date, blocked: bool) -> None:
    facts = dataclasses.replace(GOOD, expires_on=expires_on)
    assert bool(final_signoff_registration_problems(facts, TODAY)) is blocked


def test_registered_today_is_not_a_future_registration() -> None:
    facts = dataclasses.replace(GOOD, registered_on=TODAY)
    assert final_signoff_registration_problems(facts, TODAY) == []


def test_every_problem_is_listed_at_once() -> None:
    trainee = RegistrationFacts(
        status="trainee", number=None, registered_on=None, expires_on=None, verified=False
    )
    assert final_signoff_registration_problems(trainee, TODAY) == [
        "Not yet registered with the GPhC: the record still says trainee",
        "No GPhC registration number is recorded",
        "No registration expiry date is recorded, so currency cannot be checked",
        "The registration has not been verified against the GPhC register by a supervisor or lead",
    ]


def test_no_registration_record_is_a_problem() -> None:
    assert final_signoff_registration_problems(None, TODAY) == ["No GPhC registration is recorded"]


# --- Level 3 qualification ---------------------------------------------------------------


def test_qualification_kinds_are_the_recognised_routes() -> None:
    keys = [kind.key for kind in QUALIFICATION_KINDS]
    assert keys == [
        "l3-diploma-principles-practice",
        "nvq-pss-and-pharm-science",
        "sqa-pharmacy-services",
        "apprenticeship",
        "other",
    ]
    assert len(set(keys)) == len(keys)
    assert QUALIFICATION_KIND_BY_KEY["sqa-pharmacy-services"].label.endswith("(SCQF level 7)")
    assert "Pharmaceutical Science" in QUALIFICATION_KIND_BY_KEY["nvq-pss-and-pharm-science"].label
    assert [kind.key for kind in QUALIFICATION_KINDS if kind.needs_title] == ["other"]
    assert qualification_choices()[0] == (
        "l3-diploma-principles-practice",
        "Level 3 Diploma in the Principles and Practice for Pharmacy Technicians",
    )
    assert list(QUALIFICATION_STATUS_LABELS) == [
        "not-started",
        "enrolled",
        "in-progress",
        "achieved",
    ]


ACHIEVED = Level3Facts(
    kind="l3-diploma-principles-practice",
    status="achieved",
    verified=True,
    achieved_on=date(2025, 1, 10),
)


@pytest.mark.parametrize("kind", [kind.key for kind in QUALIFICATION_KINDS if not kind.needs_title])
def test_an_achieved_verified_qualification_has_no_problems(kind: str) -> None:
    both_parts = (date(2024, 6, 3), date(2025, 1, 10))  # read only for the two-part route
    facts = dataclasses.replace(ACHIEVED, kind=kind, parts_achieved_on=both_parts)
    assert qualification_problems(facts, TODAY) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"status": "not-started"}, "not yet achieved (it is not started)"),
        ({"status": "enrolled"}, "not yet achieved (it is enrolled)"),
        ({"status": "in-progress"}, "not yet achieved (it is in progress)"),
        ({"achieved_on": None}, "date the Level 3 qualification was achieved is missing"),
        ({"achieved_on": TODAY + DAY}, "The achievement date, 2 June 2025, is in the future"),
        ({"verified": False}, "has not been verified by a supervisor or lead"),
        ({"kind": "other", "justification": "Mapped"}, "The qualification's title is missing"),
        (
            {"kind": "other", "title": "   ", "justification": "Mapped"},
            "The qualification's title is missing",
        ),
        ({"kind": "other", "title": "BTEC"}, "The reason this qualification should count"),
        ({"kind": "btec"}, "not recognised"),
    ],
)
def test_each_unmet_qualification_prerequisite(changes: dict, problem: str) -> None:
    problems = qualification_problems(dataclasses.replace(ACHIEVED, **changes), TODAY)
    assert len(problems) == 1
    assert problem in problems[0]


def test_achieved_today_and_other_with_a_title_are_fine() -> None:
    assert qualification_problems(dataclasses.replace(ACHIEVED, achieved_on=TODAY), TODAY) == []
    other = dataclasses.replace(
        ACHIEVED, kind="other", title="BTEC National Diploma", justification="Mapped by the hub"
    )
    assert qualification_problems(other, TODAY) == []


def test_no_qualification_record_is_a_problem() -> None:
    assert qualification_problems(None, TODAY) == ["No Level 3 qualification is recorded"]
