"""The GPhC and pathway settings that change over time, read from the app's configuration.

The pure rule modules carry today's values as dataclass defaults; a deployment that needs
others sets `RENEWAL_RULES`, `ELIGIBILITY_RULES` or `REVALIDATION_RULES` to an instance of
the rule class (tests do the same). The standards for reflective accounts and the pathway
thresholds are plain settings in config.py, read from the environment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app

from app.services.pathway.eligibility import DEFAULT_ELIGIBILITY_RULES, EligibilityRules
from app.services.registration.revalidation_rules import (
    DEFAULT_REVALIDATION_RULES,
    RevalidationRules,
)
from app.services.registration.rules import DEFAULT_RENEWAL_RULES, RenewalRules


def renewal_rules() -> RenewalRules:
    return current_app.config.get("RENEWAL_RULES") or DEFAULT_RENEWAL_RULES


def eligibility_rules() -> EligibilityRules:
    return current_app.config.get("ELIGIBILITY_RULES") or DEFAULT_ELIGIBILITY_RULES


def revalidation_rules() -> RevalidationRules:
    return current_app.config.get("REVALIDATION_RULES") or DEFAULT_REVALIDATION_RULES


# Where an administrator names the standards, by period: nothing is assumed without it.
STANDARDS_SETTING = "REVALIDATION_STANDARDS"


def required_standards(year_ends_on: date) -> frozenset[int]:
    """The standards a reflective account must address for the year ending on `year_ends_on`:
    the latest configured entry dated on or before that day (none configured: empty)."""
    chosen: tuple[int, ...] = ()
    for starts, standards in current_app.config.get(STANDARDS_SETTING, ()):
        if starts <= year_ends_on:
            chosen = tuple(standards)
    return frozenset(chosen)


def protected_learning_days() -> int:
    return int(current_app.config.get("PROTECTED_LEARNING_DAYS", 28))


def minimum_wte() -> Decimal:
    return Decimal(int(current_app.config.get("MINIMUM_WTE_HUNDREDTHS", 50))) / 100
