"""Pure: whether a GPhC registration stands on a day, for a signature gate. No database.

The trainee's final sign-off (`final_signoff_registration_problems`) and every signer
(`signers`) ask the same checks (`registration_gaps`): registered, a number of the right
register, started, unexpired (the expiry day itself still counts: a registration lapses
at the end of it) and verified by someone other than the person. Each words them for
its reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.services.registration.rules import TECHNICIAN_NUMBER
from app.services.rule_results import long_date


@dataclass(frozen=True)
class RegistrationFacts:
    """What a signature gate needs to know about a person's current registration record."""

    status: str  # one of REGISTRATION_STATUS_LABELS
    number: str | None
    registered_on: date | None
    expires_on: date | None
    verified: bool  # checked against the register by someone other than the person
    register: str = "pharmacy-technician"


class Gap(StrEnum):
    """Why a registration does not stand on a day: the checks every signature gate shares."""

    NOT_RECORDED = "not-recorded"
    TRAINEE = "trainee"
    LAPSED = "lapsed"
    REMOVED = "removed"
    NOT_REGISTERED = "not-registered"
    NO_NUMBER = "no-number"
    WRONG_REGISTER = "wrong-register"
    NOT_STARTED = "not-started"
    NO_EXPIRY = "no-expiry"
    EXPIRED = "expired"
    UNVERIFIED = "unverified"


# The shape of each register's numbers (premises, starting with 1, are never a person's).
NUMBER_SHAPES = {
    "pharmacy-technician": TECHNICIAN_NUMBER,
    "pharmacist": re.compile(r"2[0-9]{6}"),
}


def registration_gaps(
    facts: RegistrationFacts | None,
    today: date,
    registers: tuple[str, ...] = ("pharmacy-technician",),
) -> list[Gap]:
    """Every reason the registration does not stand on `today` for one of `registers`.

    An OVERDUE registration is still valid until expiry, and the expiry day itself is a
    valid day (see the module docstring): only the day after blocks.
    """
    if facts is None:
        return [Gap.NOT_RECORDED]
    gaps: list[Gap] = []
    status_gaps = {"trainee": Gap.TRAINEE, "lapsed": Gap.LAPSED, "removed": Gap.REMOVED}
    if facts.status != "registered":
        gaps.append(status_gaps.get(facts.status, Gap.NOT_REGISTERED))
    if not facts.number:
        gaps.append(Gap.NO_NUMBER)
    elif facts.register not in registers or not NUMBER_SHAPES[facts.register].fullmatch(
        facts.number
    ):
        gaps.append(Gap.WRONG_REGISTER)
    if facts.registered_on is not None and facts.registered_on > today:
        gaps.append(Gap.NOT_STARTED)
    if facts.expires_on is None:
        gaps.append(Gap.NO_EXPIRY)
    elif today > facts.expires_on:
        gaps.append(Gap.EXPIRED)
    if not facts.verified:
        gaps.append(Gap.UNVERIFIED)
    return gaps


def final_signoff_registration_problems(facts: RegistrationFacts | None, today: date) -> list[str]:
    """Every unmet registration prerequisite of the trainee for the final sign-off, in plain
    English (all of them, so the trainee sees everything there is to fix at once)."""
    words = {
        Gap.NOT_RECORDED: lambda f: "No GPhC registration is recorded",
        Gap.TRAINEE: lambda f: "Not yet registered with the GPhC: the record still says trainee",
        Gap.LAPSED: lambda f: "The GPhC registration has lapsed",
        Gap.REMOVED: lambda f: "The registration has been removed from the GPhC register",
        Gap.NOT_REGISTERED: lambda f: "The registration status is not 'registered'",
        Gap.NO_NUMBER: lambda f: "No GPhC registration number is recorded",
        Gap.WRONG_REGISTER: lambda f: (
            f"{f.number} is not a pharmacy technician number (these are 7 digits starting with 5)"
        ),
        Gap.NOT_STARTED: lambda f: (
            f"The registration does not start until {long_date(f.registered_on)}"
        ),
        Gap.NO_EXPIRY: lambda f: (
            "No registration expiry date is recorded, so currency cannot be checked"
        ),
        Gap.EXPIRED: lambda f: f"The registration expired on {long_date(f.expires_on)}",
        Gap.UNVERIFIED: lambda f: (
            "The registration has not been verified against the GPhC register "
            "by a supervisor or lead"
        ),
    }
    return [words[gap](facts) for gap in registration_gaps(facts, today)]
