"""Pure GPhC registration and Level 3 qualification rules: no database, no Flask.

Renewal: registration is renewed every year, and renewal (with the revalidation
submission) is due at least 2 months before expiry: the *renewal deadline*. The GPhC
gives notice about 3 months before that. Both periods are `RenewalRules` settings.

Currency flags, for a registration expiring on E with renewal deadline D = E - 2 months:

- CURRENT      today <  D - 3 months
- RENEWAL_DUE  D - 3 months <= today <= D   (the deadline day itself is still "due")
- OVERDUE      D <  today <= E              (still registered: expiry day is a valid day)
- EXPIRED      today >  E

Expiring today is still valid on that day: the register shows an expiry date, and a
registration lapses at the end of it, so it is only expired from the next day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.services.calendar_months import add_months
from app.services.date_ranges import date_range_problem
from app.services.rule_results import long_date

# New registrants join the register on one of these days of the month.
REGISTRATION_DAYS = (1, 15)
TECHNICIAN_NUMBER = re.compile(r"5[0-9]{6}")  # ASCII digits only, as in gphc

REGISTRATION_STATUS_LABELS = {
    "trainee": "Trainee - not yet registered",
    "registered": "Registered",
    "lapsed": "Lapsed",
    "removed": "Removed",
}


@dataclass(frozen=True)
class RenewalRules:
    """GPhC periods that may change: keep them out of the code paths."""

    renewal_lead_months: int = 2  # renewal is due this long before expiry
    notice_months: int = 3  # "renewal due" shows this long before the renewal deadline


DEFAULT_RENEWAL_RULES = RenewalRules()


class Currency(StrEnum):
    CURRENT = "current"
    RENEWAL_DUE = "renewal-due"
    OVERDUE = "overdue"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return CURRENCY_LABELS[self]


CURRENCY_LABELS = {
    Currency.CURRENT: "Current",
    Currency.RENEWAL_DUE: "Renewal due",
    Currency.OVERDUE: "Overdue for renewal",
    Currency.EXPIRED: "Expired",
}


def renewal_deadline(expires_on: date, rules: RenewalRules = DEFAULT_RENEWAL_RULES) -> date:
    """Expiry minus the lead time in calendar months; a missing day clamps to month end
    (30 Apr -> 28/29 Feb), which keeps the deadline on or before the true one."""
    return add_months(expires_on, -rules.renewal_lead_months)


@dataclass(frozen=True)
class RenewalPosition:
    expires_on: date
    renewal_deadline: date
    notice_from: date  # first day the flag reads "renewal due"
    currency: Currency
    days_to_deadline: int  # negative once the deadline has passed
    days_to_expiry: int  # 0 on the expiry day, negative once expired


def renewal_position(
    expires_on: date, today: date, rules: RenewalRules = DEFAULT_RENEWAL_RULES
) -> RenewalPosition:
    deadline = renewal_deadline(expires_on, rules)
    notice_from = add_months(deadline, -rules.notice_months)
    if today > expires_on:
        currency = Currency.EXPIRED
    elif today > deadline:
        currency = Currency.OVERDUE
    elif today >= notice_from:
        currency = Currency.RENEWAL_DUE
    else:
        currency = Currency.CURRENT
    return RenewalPosition(
        expires_on=expires_on,
        renewal_deadline=deadline,
        notice_from=notice_from,
        currency=currency,
        days_to_deadline=(deadline - today).days,
        days_to_expiry=(expires_on - today).days,
    )


def registration_currency(
    expires_on: date, today: date, rules: RenewalRules = DEFAULT_RENEWAL_RULES
) -> Currency:
    return renewal_position(expires_on, today, rules).currency


def is_registration_day(day: date) -> bool:
    return day.day in REGISTRATION_DAYS


# --- Which dates a registration or qualification record may carry --------------------------
# One rule for every way a record arrives (pages, demo data, anything later): a date
# outside it is a slip of the keyboard (1025 for 2025, 2099 for 2026), not a career.

# No working life reaches back further: an earlier date is a typing slip.
EARLIEST_RECORD_DATE = date(1950, 1, 1)
# A registration runs a year at a time.
REGISTRATION_PERIOD_MONTHS = 12
# Joining dates and course starts may be known ahead, but not by more than this.
MONTHS_AHEAD_FOR_A_START = 12


def latest_expiry(today: date, rules: RenewalRules = DEFAULT_RENEWAL_RULES) -> date:
    """The furthest expiry a registration can have today: renewing as early as the GPhC
    allows (at its notice, before the renewal deadline) adds a year to an expiry that
    is itself at most notice + lead time away."""
    months = REGISTRATION_PERIOD_MONTHS + rules.renewal_lead_months + rules.notice_months
    return add_months(today, months)


def latest_start(today: date) -> date:
    return add_months(today, MONTHS_AHEAD_FOR_A_START)


def record_date_problem(day: date, label: str, *, latest: date, why: str = "") -> str | None:
    """A registration or qualification date outside EARLIEST_RECORD_DATE..latest."""
    return date_range_problem(day, label, earliest=EARLIEST_RECORD_DATE, latest=latest, why=why)


def registration_date_problems(
    registered_on: date | None,
    expires_on: date | None,
    *,
    today: date,
    rules: RenewalRules = DEFAULT_RENEWAL_RULES,
) -> list[str]:
    """Checks on the two dates, the joining date's first; empty when both are acceptable."""
    problems: list[str] = []
    if registered_on is not None:
        if not is_registration_day(registered_on):
            problems.append(
                "Registration dates fall on the 1st or the 15th of a month; "
                f"{long_date(registered_on)} is neither"
            )
        joined = record_date_problem(
            registered_on, "The date you joined the register", latest=latest_start(today)
        )
        if joined:
            problems.append(joined)
    if expires_on is not None:
        expiry = record_date_problem(
            expires_on,
            "The expiry date",
            latest=latest_expiry(today, rules),
            why=" (registration is renewed every year)",
        )
        if expiry:
            problems.append(expiry)
    if registered_on is not None and expires_on is not None and expires_on <= registered_on:
        problems.append("The expiry date must be after the registration date")
    return problems


# The longest a registration year may run: a year, and a month's grace for the day the
# GPhC sets the first expiry or a renewal on.
MAX_MONTHS_TO_EXPIRY = 13


def expiry_year_problem(
    registered_on: date | None,
    renewed_on: date | None,
    expires_on: date | None,
    *,
    today: date,
) -> str | None:
    """An expiry more than 13 months after the start of the registration year it closes.

    The year starts on the last renewal when one is given, else on joining the register.
    Exactly 13 months later (by `add_months`, so 31 January gives the end of February) is
    allowed; a day more is refused. Without a renewal date, a joining date more than 13
    months ago says nothing about the current year (the person has renewed since), so only
    the renewal date can be checked against.
    """
    if expires_on is None:
        return None
    if renewed_on is not None:
        basis, words = renewed_on, f"your last renewal on {long_date(renewed_on)}"
    elif registered_on is not None and add_months(registered_on, MAX_MONTHS_TO_EXPIRY) >= today:
        basis, words = registered_on, f"you joined the register on {long_date(registered_on)}"
    else:
        return None
    latest = add_months(basis, MAX_MONTHS_TO_EXPIRY)
    if expires_on <= latest:
        return None
    advice = "" if renewed_on else "; if you have renewed since, enter the date of that renewal"
    return (
        f"The expiry date, {long_date(expires_on)}, is more than {MAX_MONTHS_TO_EXPIRY} months "
        f"after {words}: a registration year ends by {long_date(latest)}{advice}"
    )


def renewal_date_problem(
    registered_on: date | None, renewed_on: date | None, expires_on: date | None, *, today: date
) -> str | None:
    """The last renewal date: after joining, before the expiry, and in the plausible range."""
    if renewed_on is None:
        return None
    if registered_on is not None and renewed_on <= registered_on:
        return "The date of your last renewal must be after the date you joined the register"
    if expires_on is not None and renewed_on >= expires_on:
        return "The date of your last renewal must be before the expiry date"
    return record_date_problem(
        renewed_on, "The date of your last renewal", latest=latest_start(today)
    )


# --- Level 3 qualification -------------------------------------------------------------


@dataclass(frozen=True)
class QualificationKind:
    key: str
    label: str
    hint: str
    needs_title: bool = False
    # A route of two qualifications: each part's name; achieved only when both are.
    parts: tuple[str, str] | None = None
    # A qualification outside the recognised list: the person says why it should count,
    # and leads see it flagged until someone verifies it.
    needs_justification: bool = False


QUALIFICATION_KINDS = (
    QualificationKind(
        "l3-diploma-principles-practice",
        "Level 3 Diploma in the Principles and Practice for Pharmacy Technicians",
        "The current route: knowledge and competence in one qualification.",
    ),
    QualificationKind(
        "nvq-pss-and-pharm-science",
        "Level 3 NVQ Diploma in Pharmacy Service Skills and "
        "Level 3 Diploma in Pharmaceutical Science",
        "The older route: both qualifications are needed.",
        parts=(
            "Level 3 NVQ Diploma in Pharmacy Service Skills",
            "Level 3 Diploma in Pharmaceutical Science",
        ),
    ),
    QualificationKind(
        "sqa-pharmacy-services",
        "SQA Diploma in Pharmacy Services (SCQF level 7)",
        "The Scottish route.",
    ),
    QualificationKind(
        "apprenticeship",
        "Level 3 pharmacy technician apprenticeship",
        "The apprenticeship route.",
    ),
    QualificationKind(
        "other",
        "Other qualification",
        "Give the qualification's full title and why it should count.",
        needs_title=True,
        needs_justification=True,
    ),
)
QUALIFICATION_KIND_BY_KEY = {kind.key: kind for kind in QUALIFICATION_KINDS}

QUALIFICATION_STATUS_LABELS = {
    "not-started": "Not started",
    "enrolled": "Enrolled",
    "in-progress": "In progress",
    "achieved": "Achieved",
}


def flagged_until_verified(kind_key: str, verified: bool) -> bool:
    """True for a qualification outside the recognised list that nobody has verified yet:
    leads see it flagged on their dashboard."""
    kind = QUALIFICATION_KIND_BY_KEY.get(kind_key)
    return not verified and (kind is None or kind.needs_justification)


def qualification_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a select field."""
    return [(kind.key, kind.label) for kind in QUALIFICATION_KINDS]


@dataclass(frozen=True)
class Level3Facts:
    kind: str  # a QUALIFICATION_KINDS key
    status: str  # a QUALIFICATION_STATUS_LABELS key
    verified: bool  # certificate checked by a supervisor or lead
    achieved_on: date | None = None
    title: str | None = None  # required for "other"
    parts_achieved_on: tuple[date | None, date | None] = (None, None)  # the two-part route
    justification: str | None = None  # required for "other"


def missing_parts(kind: QualificationKind, parts_achieved_on: tuple) -> list[str]:
    """The names of a two-part route's parts not yet achieved (none for other routes)."""
    if kind.parts is None:
        return []
    return [name for name, day in zip(kind.parts, parts_achieved_on, strict=True) if day is None]


def qualification_problems(facts: Level3Facts | None, today: date) -> list[str]:
    """Unmet Level 3 prerequisites: recorded, achieved (with a date not in the future; both
    parts of a two-part route), explained when not a recognised one, and verified."""
    if facts is None:
        return ["No Level 3 qualification is recorded"]
    problems: list[str] = []
    kind = QUALIFICATION_KIND_BY_KEY.get(facts.kind)
    if kind is None:
        problems.append("The kind of Level 3 qualification is not recognised")
    else:
        if kind.needs_title and not (facts.title or "").strip():
            problems.append("The qualification's title is missing")
        if kind.needs_justification and not (facts.justification or "").strip():
            problems.append("The reason this qualification should count is missing")
        if facts.status == "achieved":
            problems += [
                f"The {name} is not recorded as achieved: the older route needs both parts"
                for name in missing_parts(kind, facts.parts_achieved_on)
            ]

    if facts.status != "achieved":
        status = QUALIFICATION_STATUS_LABELS.get(facts.status, facts.status).lower()
        problems.append(f"The Level 3 qualification is not yet achieved (it is {status})")
    elif facts.achieved_on is None:
        problems.append("The date the Level 3 qualification was achieved is missing")
    elif facts.achieved_on > today:
        problems.append(f"The achievement date, {long_date(facts.achieved_on)}, is in the future")

    if not facts.verified:
        problems.append("The Level 3 qualification has not been verified by a supervisor or lead")
    return problems
