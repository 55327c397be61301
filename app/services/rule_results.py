"""The shape every rule panel reports in, and the number/date wording the panels share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome. `warning` flags a met rule that needs attention soon (a deadline
    approaching, weeks left out of a total); it never makes an unmet rule pass."""

    key: str
    name: str
    met: bool
    detail: str
    warning: bool = False
    # The rule could not be applied (a setting it needs is missing): never met, and said so.
    unchecked: bool = False

    @property
    def label(self) -> str:
        # Words as well as colour: a status must never be shown by colour alone.
        if self.unchecked:
            return "Could not be checked"
        if not self.met:
            return "Not yet met"
        return "Met, with a warning" if self.warning else "Met"

    @property
    def colour(self) -> str:
        """The tag colour that goes with `label`."""
        if self.unchecked:
            return "grey"
        if not self.met:
            return "red"
        return "yellow" if self.warning else "green"


def long_date(day: date) -> str:
    """'1 March 2025': unambiguous in the UK and free of platform-specific strftime flags."""
    return f"{day.day} {day:%B %Y}"


def format_number(value: Decimal | int) -> str:
    """'1,260' or '13.5': thousands separated, no trailing '.0'."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def plural(count: Decimal | int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{format_number(count)} {word}"
