"""Whether a date typed for a record is one it could really carry.

Each kind of record sets its own earliest and latest days (evidence: `form_answers`;
registration and qualification: `registration_rules`); this says, in the same words
everywhere, that a date outside them is almost certainly a slip of the keyboard
(1025 for 2025, 2099 for 2026). Pages, the API and the command line reach the same check
because the services apply it.
"""

from __future__ import annotations

from datetime import date

from app.services.rule_results import long_date


def date_range_problem(
    day: date, label: str, *, earliest: date, latest: date, why: str = ""
) -> str | None:
    """`label` names the date ("The expiry date"); `why` explains the latest day allowed."""
    if day < earliest:
        return f"{label} must be {long_date(earliest)} or later: check the year"
    if day > latest:
        return f"{label} cannot be later than {long_date(latest)}{why}: check the year"
    return None
