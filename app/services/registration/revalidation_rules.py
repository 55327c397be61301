"""Pure GPhC revalidation rules for registered pharmacy technicians: no database, no Flask.

Each registration year ends at the renewal deadline (expiry - 2 months) and starts the
day after the previous year's deadline, so every date belongs to exactly one year, and a
record dated on the deadline day still counts for that year.

Normal rule: at least 4 CPD records, at least 2 of them planned; 1 peer discussion; 1
reflective account addressing at least one of the standards the GPhC names for the
period. Exceptional circumstances the GPhC has agreed to lower it to the floor everyone
who practised must still meet: 1 planned CPD record and 1 reflective account.

Nothing is assumed: while the standards for the period are not configured, the
reflective-account rule could not be checked, so the year is never ready to submit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.services.calendar_months import add_months
from app.services.registration.rules import (
    DEFAULT_RENEWAL_RULES,
    RenewalRules,
    renewal_deadline,
)
from app.services.rule_results import RuleResult, long_date, plural

# GPhC Standards for Pharmacy Professionals (May 2017).
GPHC_STANDARDS = {
    1: "Provide person-centred care",
    2: "Work in partnership with others",
    3: "Communicate effectively",
    4: "Maintain, develop and use professional knowledge and skills",
    5: "Use professional judgement",
    6: "Behave professionally",
    7: "Respect and maintain confidentiality and privacy",
    8: "Speak up when they have concerns or when things go wrong",
    9: "Demonstrate leadership",
}


@dataclass(frozen=True)
class RevalidationRules:
    """Record counts, configurable because the GPhC revises its framework."""

    cpd_records: int = 4
    planned_cpd_records: int = 2
    peer_discussions: int = 1
    reflective_accounts: int = 1
    exceptional_planned_cpd_records: int = 1
    exceptional_reflective_accounts: int = 1


DEFAULT_REVALIDATION_RULES = RevalidationRules()


@dataclass(frozen=True)
class RevalidationYear:
    starts_on: date
    ends_on: date  # the renewal deadline, inclusive

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def revalidation_year(
    expires_on: date, renewal_rules: RenewalRules = DEFAULT_RENEWAL_RULES
) -> RevalidationYear:
    """The year whose records are submitted with the renewal before `expires_on`.

    Assumes the previous expiry was the same day a year earlier (a 29 February expiry
    is taken as 28 February the year before and after).
    """
    previous_deadline = renewal_deadline(add_months(expires_on, -12), renewal_rules)
    return RevalidationYear(
        previous_deadline + timedelta(days=1), renewal_deadline(expires_on, renewal_rules)
    )


# --- Records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerDeclaration:
    """The registrant's declaration about the peer they chose."""

    peer_name: str
    peer_role: str
    not_a_relative: bool
    not_a_partner: bool
    no_conflict_of_interest: bool

    @property
    def peer_confirmed(self) -> bool:
        """The registrant confirmed the peer is no relative or partner, with no conflict."""
        return self.not_a_relative and self.not_a_partner and self.no_conflict_of_interest


def peer_declaration_problems(declaration: PeerDeclaration) -> list[str]:
    """Why this peer discussion cannot count yet; empty when the declaration is complete."""
    problems: list[str] = []
    if not declaration.peer_name.strip():
        problems.append("Give the peer's name")
    if not declaration.peer_role.strip():
        problems.append("Give the peer's role")
    if not declaration.not_a_relative:
        problems.append("Confirm that the peer is not a relative")
    if not declaration.not_a_partner:
        problems.append("Confirm that the peer is not your partner")
    if not declaration.no_conflict_of_interest:
        problems.append("Confirm that the peer has no conflict of interest")
    return problems


@dataclass(frozen=True)
class CpdEntry:
    recorded_on: date
    planned: bool


@dataclass(frozen=True)
class PeerDiscussionEntry:
    held_on: date
    declaration: PeerDeclaration


@dataclass(frozen=True)
class ReflectiveAccountEntry:
    written_on: date
    standards: frozenset[int]  # GPHC_STANDARDS numbers the account addresses


@dataclass(frozen=True)
class RevalidationRecords:
    cpd: Sequence[CpdEntry] = ()
    peer_discussions: Sequence[PeerDiscussionEntry] = ()
    reflective_accounts: Sequence[ReflectiveAccountEntry] = ()


# --- Readiness --------------------------------------------------------------------------


@dataclass(frozen=True)
class RevalidationReadiness:
    year: RevalidationYear
    days_left: int  # until the renewal deadline; 0 on the day, negative once passed
    exceptional_circumstances: bool
    planned_cpd: int
    unplanned_cpd: int
    peer_discussions: int  # with a complete declaration
    reflective_accounts: int  # addressing a required standard
    requirements: tuple[RuleResult, ...]

    @property
    def deadline(self) -> date:
        return self.year.ends_on

    @property
    def ready(self) -> bool:
        return all(requirement.met for requirement in self.requirements)

    @property
    def standards_checked(self) -> bool:
        return not any(requirement.unchecked for requirement in self.requirements)

    @property
    def status(self) -> str:
        """ready | unchecked (nothing unmet but a rule that could not be checked) | not_ready."""
        if self.ready:
            return "ready"
        if all(r.met or r.unchecked for r in self.requirements):
            return "unchecked"
        return "not_ready"


def describe_standards(numbers: Iterable[int]) -> str:
    """'standard 1' / 'standards 1 or 6'."""
    ordered = sorted(numbers)
    if len(ordered) == 1:
        return f"standard {ordered[0]} ({GPHC_STANDARDS.get(ordered[0], 'unknown')})"
    listed = ", ".join(str(n) for n in ordered[:-1]) + f" or {ordered[-1]}"
    return f"standards {listed}"


def _count(key: str, name: str, have: int, need: int, noun: str, note: str = "") -> RuleResult:
    return RuleResult(key, name, have >= need, f"{have} of {plural(need, noun)}{note}")


def _reflective_requirement(
    accounts: list[ReflectiveAccountEntry], required: frozenset[int], need: int
) -> tuple[RuleResult, int]:
    name = f"At least {plural(need, 'reflective account')}"
    if not required:
        # No standards configured: which accounts count is unknown, so the rule is not met
        # and says it could not be checked, rather than assume any standard will do.
        written = len(accounts)
        result = RuleResult(
            "reflective-account",
            name,
            False,
            f"{written} written; the standards an account must address for this period "
            "are not configured, so whether it meets the rule could not be checked",
            unchecked=True,
        )
        return result, written
    counted = sum(1 for account in accounts if account.standards & required)
    name += f" addressing {describe_standards(required)}"
    note = ""
    if len(accounts) > counted:
        note = f"; {len(accounts) - counted} more written for other standards only"
    return _count("reflective-account", name, counted, need, "account", note), counted


def revalidation_readiness(
    records: RevalidationRecords,
    *,
    expires_on: date,
    today: date,
    required_standards: Iterable[int],
    exceptional_circumstances: bool = False,
    rules: RevalidationRules = DEFAULT_REVALIDATION_RULES,
    renewal_rules: RenewalRules = DEFAULT_RENEWAL_RULES,
) -> RevalidationReadiness:
    """Counts the year's records against the rule; records outside the year are ignored."""
    year = revalidation_year(expires_on, renewal_rules)
    cpd = [entry for entry in records.cpd if year.contains(entry.recorded_on)]
    planned = sum(1 for entry in cpd if entry.planned)
    peers = [entry for entry in records.peer_discussions if year.contains(entry.held_on)]
    valid_peers = sum(1 for entry in peers if not peer_declaration_problems(entry.declaration))
    accounts = [entry for entry in records.reflective_accounts if year.contains(entry.written_on)]

    requirements: list[RuleResult] = []
    if exceptional_circumstances:
        need_planned = rules.exceptional_planned_cpd_records
        need_accounts = rules.exceptional_reflective_accounts
    else:
        need_planned = rules.planned_cpd_records
        need_accounts = rules.reflective_accounts
        requirements.append(_cpd_requirement(len(cpd), planned, rules))
    requirements.append(
        _count(
            "planned-cpd",
            f"At least {need_planned} planned",
            planned,
            need_planned,
            "planned CPD record",
        )
    )
    if not exceptional_circumstances:
        requirements.append(_peer_requirement(len(peers), valid_peers, rules))
    reflective, counted_accounts = _reflective_requirement(
        accounts, frozenset(required_standards), need_accounts
    )
    requirements.append(reflective)

    return RevalidationReadiness(
        year=year,
        days_left=(year.ends_on - today).days,
        exceptional_circumstances=exceptional_circumstances,
        planned_cpd=planned,
        unplanned_cpd=len(cpd) - planned,
        peer_discussions=valid_peers,
        reflective_accounts=counted_accounts,
        requirements=tuple(requirements),
    )


def _cpd_requirement(records: int, planned: int, rules: RevalidationRules) -> RuleResult:
    return _count(
        "cpd-records",
        f"At least {plural(rules.cpd_records, 'CPD record')}",
        records,
        rules.cpd_records,
        "CPD record",
        f" ({planned} planned, {records - planned} unplanned)",
    )


def _peer_requirement(recorded: int, valid: int, rules: RevalidationRules) -> RuleResult:
    """Only a discussion with a complete peer declaration counts."""
    note = ""
    if recorded > valid:
        note = f" ({recorded - valid} recorded, but the peer declaration is incomplete)"
    return _count(
        "peer-discussion",
        f"At least {plural(rules.peer_discussions, 'peer discussion')}",
        valid,
        rules.peer_discussions,
        "peer discussion",
        note,
    )


def format_days_left(days_left: int, deadline: date) -> str:
    if days_left > 0:
        return f"{plural(days_left, 'day')} left, until {long_date(deadline)}"
    if days_left == 0:
        return f"Due today, {long_date(deadline)}"
    return f"The deadline passed {plural(-days_left, 'day')} ago, on {long_date(deadline)}"
