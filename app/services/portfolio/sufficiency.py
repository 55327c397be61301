"""What each competency still needs before it can be signed off.

A competency's rule (its framework's default, or its own override) asks for a number
of accepted items, a number of distinct evidence types among them, and perhaps an
observed item; it may add an observation rule (so many observations of given types, on
separate days, rated at a level in every area). An item its assessor judged below the
level expected is kept and shown but counts for nothing: when it is the only observation,
the words say an observation judged at the expected level is missing. Only accepted
evidence counts, and only through the competencies its
accepted version (`Evidence.accepted_version_number`) links. What was accepted is what
was assessed, so while the trainee revises it, or a revision waits for review or is
sent back for changes, the accepted version goes on counting; a revision counts only
once it is accepted, and then in place of the version before.

Statuses: not_started (nothing linked) -> in_progress (something linked) -> ready
(the rule is met) -> signed_off (given by the caller until sign-offs exist).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, case, distinct, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import (
    Competency,
    Domain,
    EvidenceType,
    competency_observation_types,
)
from app.services.frameworks.framework_spec import RATING_LEVELS

ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}


@dataclass(frozen=True)
class ObservationRule:
    """At least `min_items` accepted observations of the types `type_ids` (on as many
    different days when `distinct_days`), each judged at least at the expected level and
    with every rated area at `min_level` (an index of RATING_LEVELS) or above."""

    min_items: int
    distinct_days: bool
    min_level: int
    type_ids: frozenset[int] = frozenset()
    type_labels: tuple[str, ...] = ()

    @classmethod
    def of(cls, competency: Competency) -> ObservationRule | None:
        if competency.observation_min_items is None or competency.observation_min_level is None:
            return None
        types = competency.observation_types
        return cls(
            competency.observation_min_items,
            competency.observation_distinct_days,
            competency.observation_min_level,
            frozenset(t.id for t in types),
            tuple(t.label for t in types),
        )


@dataclass(frozen=True)
class Rule:
    min_evidence: int
    min_types: int
    require_observed: bool
    observations: ObservationRule | None = None

    @classmethod
    def of(cls, competency: Competency) -> Rule:
        return cls(
            competency.min_evidence,
            competency.min_types,
            competency.require_observed,
            ObservationRule.of(competency),
        )


@dataclass(frozen=True)
class AcceptedItem:
    evidence_id: int
    evidence_type_id: int
    observed: bool
    judgement: str | None = None
    occurred_on: date | None = None
    rating_level: int | None = None


@dataclass(frozen=True)
class CompetencyProgress:
    competency_id: int
    code: str
    title: str
    domain_id: int
    domain_code: str
    domain_title: str
    rule: Rule
    status: str
    missing: list[str]
    linked_count: int
    accepted_count: int
    accepted_type_count: int
    observed_count: int

    @property
    def still_needed(self) -> list[str]:
        """What the rule still asks for, as pages and the API show it: nothing once signed off."""
        return [] if self.status == "signed_off" else self.missing


@dataclass
class DomainProgress:
    domain_id: int
    code: str
    title: str
    competencies: list[CompetencyProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.competencies)

    def count(self, status: str) -> int:
        return sum(1 for c in self.competencies if c.status == status)


class Shortfall(NamedTuple):
    """How far accepted evidence falls short of a rule: more items, more distinct types,
    an observed assessment (`observed`: none at all; `judged`: only ones judged below the
    expected level), more observations for the observation rule. Nothing short means the
    rule is met."""

    items: int
    types: int
    observed: bool
    judged: bool = False
    observations: int = 0

    @property
    def met(self) -> bool:
        return not (self.items or self.types or self.observed or self.judged or self.observations)


def shortfall(
    rule: Rule,
    *,
    accepted: int,
    types: int,
    observed: int,
    below: int = 0,
    rule_items: int = 0,
    rule_days: int = 0,
) -> Shortfall:
    """The sufficiency rule, from counts (what an aggregate query returns): the accepted
    items that count (none judged below the expected level), their distinct types and the
    observed ones among them; `below`, the observed items judged below the expected level;
    and the observations the observation rule counts, as items and as distinct days.
    Everything else here (the words, `meets`, the statuses) is derived from it."""
    needs_observed = rule.require_observed and not observed
    more_observations = 0
    if rule.observations is not None:
        have = rule_days if rule.observations.distinct_days else rule_items
        more_observations = max(rule.observations.min_items - have, 0)
    return Shortfall(
        items=max(rule.min_evidence - accepted, 0),
        types=max(rule.min_types - types, 0),
        observed=needs_observed and not below,
        judged=needs_observed and bool(below),
        observations=more_observations,
    )


def _items(count: int) -> str:
    return "1 more accepted item" if count == 1 else f"{count} more accepted items"


def counts_of(rule: Rule, accepted: Iterable[AcceptedItem]) -> dict[str, int]:
    """The counts `shortfall` takes, from accepted items one by one (as the query counts)."""
    items = list(accepted)
    counted = [i for i in items if i.judgement != "below"]
    obs = rule.observations
    qualifying = [
        i
        for i in counted
        if obs is not None
        and i.observed
        and i.evidence_type_id in obs.type_ids
        and i.rating_level is not None
        and i.rating_level >= obs.min_level
    ]
    return {
        "accepted": len(counted),
        "types": len({i.evidence_type_id for i in counted}),
        "observed": sum(1 for i in counted if i.observed),
        "below": sum(1 for i in items if i.observed and i.judgement == "below"),
        "rule_items": len(qualifying),
        "rule_days": len({i.occurred_on for i in qualifying}),
    }


def missing_for(rule: Rule, accepted: Iterable[AcceptedItem]) -> list[str]:
    """Plain-English gaps between the accepted items and the rule; empty when it is met."""
    counts = counts_of(rule, accepted)
    return _words(rule, shortfall(rule, **counts), counts["types"])


def missing_for_counts(
    rule: Rule, *, accepted: int, types: int, observed: int, **more: int
) -> list[str]:
    """`shortfall` in words, from the same counts."""
    short = shortfall(rule, accepted=accepted, types=types, observed=observed, **more)
    return _words(rule, short, types)


def _words(rule: Rule, short: Shortfall, types: int) -> list[str]:
    missing = []
    if short.items:
        missing.append(f"needs {_items(short.items)}")
    if short.types:
        if types == 0:
            # One accepted item brings one type: only say so when more than one is needed.
            if short.types > 1:
                missing.append(f"needs items of {short.types} different evidence types")
        elif short.types == 1:
            ordinal = ORDINALS.get(types + 1, f"{types + 1}th")
            missing.append(f"needs a {ordinal} evidence type")
        else:
            missing.append(f"needs {short.types} more evidence types")
    if short.observed:
        missing.append("needs an observed assessment")
    if short.judged:
        missing.append("needs an observation judged at the expected level")
    if short.observations and rule.observations is not None:
        missing.append(_observations_needed(rule.observations, short.observations))
    return missing


def _kinds(rule: ObservationRule) -> str:
    return " or ".join(rule.type_labels) if rule.type_labels else "of the types the rule names"


def _rated(rule: ObservationRule) -> str:
    level = RATING_LEVELS[rule.min_level]
    return (
        f"rated {level} in every area"
        if rule.min_level == len(RATING_LEVELS) - 1
        else (f"rated {level} or better in every area")
    )


def _observations_needed(rule: ObservationRule, count: int) -> str:
    noun = "observation" if count == 1 else "observations"
    text = f"needs {count} more {noun} ({_kinds(rule)}) judged at the expected level"
    text += f" and {_rated(rule)}"
    if rule.distinct_days and rule.min_items > 1:
        text += ", on separate days" if count > 1 else ", on a day not yet counted"
    return text


def describe_rule(rule: Rule) -> str:
    """The rule as a sentence a trainee can act on."""
    items = "1 accepted item" if rule.min_evidence == 1 else f"{rule.min_evidence} accepted items"
    sentence = f"Sign-off needs at least {items}"
    if rule.min_types > 1:
        sentence += f" of at least {rule.min_types} different evidence types"
    if rule.require_observed:
        sentence += ", including at least 1 observed assessment"
    obs = rule.observations
    if obs is not None:
        noun = "observation" if obs.min_items == 1 else "observations"
        days = " on separate days" if obs.distinct_days and obs.min_items > 1 else ""
        sentence += (
            f", and at least {obs.min_items} {noun} ({_kinds(obs)}){days}, each judged at "
            f"the expected level and {_rated(obs)}"
        )
    return sentence + "."


def meets(rule: Rule, *, accepted: int, types: int, observed: int, **more: int) -> bool:
    """Whether counts satisfy the rule (`shortfall` is nothing), without words."""
    return shortfall(rule, accepted=accepted, types=types, observed=observed, **more).met


def status_from_counts(
    rule: Rule,
    *,
    linked: int,
    accepted: int,
    types: int,
    observed: int,
    signed_off: bool,
    **more: int,
) -> str:
    """A competency's status straight from counts: for exports of every trainee x
    competency, which show the status but never what is missing."""
    met = meets(rule, accepted=accepted, types=types, observed=observed, **more)
    return status_for(met=met, linked=linked > 0, signed_off=signed_off)


def status_for(*, met: bool, linked: bool, signed_off: bool) -> str:
    """The status ladder: signed off, else ready once the rule is met, else in progress
    once anything is linked."""
    if signed_off:
        return "signed_off"
    if met:
        return "ready"
    return "in_progress" if linked else "not_started"


def progress_for(
    enrolment: Enrolment,
    signed_off: Collection[int] = frozenset(),
    *,
    count_drafts: bool = True,
    competency_id: int | None = None,
) -> list[CompetencyProgress]:
    """Every competency of the enrolment's framework version, in framework order, in 2 queries
    (or just the one `competency_id` names, for its own page): the links are counted in
    the database, so the work here does not grow with the evidence.

    `signed_off` holds competency ids already signed off. With `count_drafts=False`,
    drafts do not make a competency "in progress" (for people who may not see drafts).
    """
    competencies_sql, links_sql = _progress_statements(one=competency_id is not None)
    params = {
        "framework_id": enrolment.framework_id,
        "enrolment_id": enrolment.id,
        "competency_id": competency_id,
    }
    competencies, observation_types = _with_observation_types(
        db.session.execute(competencies_sql, params)
    )
    counted = {row.competency_id: row for row in db.session.execute(links_sql, params)}
    progress = []
    for competency in competencies:
        rule = rule_from_columns(competency, observation_types.get(competency.id, ()))
        row = counted.get(competency.id)
        linked = (row.linked if count_drafts else row.shared) if row else 0
        counts = counts_from_row(row)
        accepted, types, observed = counts["accepted"], counts["types"], counts["observed"]
        short = shortfall(rule, **counts)
        missing = _words(rule, short, types)
        progress.append(
            CompetencyProgress(
                competency_id=competency.id,
                code=competency.code,
                title=competency.title,
                domain_id=competency.domain_id,
                domain_code=competency.domain_code,
                domain_title=competency.domain_title,
                rule=rule,
                status=status_for(
                    met=short.met, linked=linked > 0, signed_off=competency.id in signed_off
                ),
                missing=missing,
                linked_count=linked,
                accepted_count=accepted,
                accepted_type_count=types,
                observed_count=observed,
            )
        )
    return progress


RULE_COLUMNS = (
    Competency.min_evidence,
    Competency.min_types,
    Competency.require_observed,
    Competency.observation_min_items,
    Competency.observation_distinct_days,
    Competency.observation_min_level,
)


def rule_from_columns(row, types: Iterable[tuple[int, str]] = ()) -> Rule:
    """A competency's rule from a row holding `RULE_COLUMNS`; `types` are the (id, label)
    of the evidence types its observation rule counts."""
    observations = None
    if row.observation_min_items is not None and row.observation_min_level is not None:
        types = list(types)
        observations = ObservationRule(
            row.observation_min_items,
            bool(row.observation_distinct_days),
            row.observation_min_level,
            frozenset(type_id for type_id, _ in types),
            tuple(label for _, label in types),
        )
    return Rule(row.min_evidence, row.min_types, row.require_observed, observations)


def counts_from_row(row) -> dict[str, int]:
    """The counts `shortfall` takes, from a `link_counts` row (None: nothing linked)."""
    names = ("accepted", "types", "observed", "below", "rule_items", "rule_days")
    return {name: int(getattr(row, name) or 0) if row else 0 for name in names}


def _with_observation_types(rows) -> tuple[list, dict[int, list[tuple[int, str]]]]:
    """The competency rows once each, and the (id, label) of the evidence types each one's
    observation rule counts (the rows repeat a competency once per such type)."""
    competencies: list = []
    types: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        if not competencies or competencies[-1].id != row.id:
            competencies.append(row)
        if row.observation_type_id is not None:
            types.setdefault(row.id, []).append((row.observation_type_id, row.observation_type))
    return competencies, types


def _progress_statements(*, one: bool):
    """With parameters bound per call: a framework's competencies in order, with
    just what progress needs, and the enrolment's links counted (`link_counts`); `one`
    narrows both to one competency. A competency with an observation rule has a row per
    evidence type the rule counts."""
    ruled = aliased(EvidenceType)
    competencies = (
        select(
            Competency.id,
            Competency.code,
            Competency.title,
            Competency.domain_id,
            *RULE_COLUMNS,
            Domain.code.label("domain_code"),
            Domain.title.label("domain_title"),
            ruled.id.label("observation_type_id"),
            ruled.label.label("observation_type"),
        )
        .join(Domain, Competency.domain_id == Domain.id)
        .outerjoin(
            competency_observation_types,
            competency_observation_types.c.competency_id == Competency.id,
        )
        .outerjoin(ruled, ruled.id == competency_observation_types.c.evidence_type_id)
        .where(Competency.framework_id == bindparam("framework_id"))
        .order_by(Domain.position, Competency.position, ruled.position)
    )
    links = (
        link_counts()
        .where(Evidence.enrolment_id == bindparam("enrolment_id"))
        .group_by(EvidenceLink.competency_id)
    )
    if one:
        competencies = competencies.where(Competency.id == bindparam("competency_id"))
        links = links.where(EvidenceLink.competency_id == bindparam("competency_id"))
    return competencies, links


def link_counts(*keys) -> Select:
    """Per competency (group by `EvidenceLink.competency_id` and any `keys` selected
    first): `linked`, the items whose current or accepted version links it; `shared`,
    those whose shared or accepted version does (what people other than the trainee can
    see); and among accepted versions not judged below the expected level `accepted`,
    their distinct evidence `types` and the `observed` ones; `below`, the accepted observed
    versions judged below it; and the accepted versions the competency's observation rule
    counts, as `rule_items` and distinct `rule_days`. The one place that says which
    version counts: the accepted one.

    A version links a competency once at most (a unique constraint), and only an item's
    current and accepted versions are read, so counting links counts items."""
    current = EvidenceVersion.number == Evidence.current_version_number
    accepted = EvidenceVersion.number == Evidence.accepted_version_number
    shared = EvidenceVersion.number == Evidence.shared_version_number
    judged_below = EvidenceVersion.judged_below
    counted = and_(accepted, or_(EvidenceVersion.judgement.is_(None), ~judged_below))
    ruled_type = (
        exists()
        .where(competency_observation_types.c.competency_id == EvidenceLink.competency_id)
        .where(competency_observation_types.c.evidence_type_id == Evidence.evidence_type_id)
    )
    for_rule = and_(
        counted,
        EvidenceType.observed,
        ruled_type,
        EvidenceVersion.rating_level >= Competency.observation_min_level,
    )
    return (
        select(
            *keys,
            EvidenceLink.competency_id.label("competency_id"),
            func.count(distinct(Evidence.id)).label("linked"),
            func.count(distinct(case((or_(shared, accepted), Evidence.id)))).label("shared"),
            func.sum(case((counted, 1), else_=0)).label("accepted"),
            func.count(distinct(case((counted, Evidence.evidence_type_id)))).label("types"),
            func.sum(case((and_(counted, EvidenceType.observed), 1), else_=0)).label("observed"),
            func.sum(case((and_(accepted, EvidenceType.observed, judged_below), 1), else_=0)).label(
                "below"
            ),
            func.sum(case((for_rule, 1), else_=0)).label("rule_items"),
            func.count(distinct(case((for_rule, EvidenceVersion.occurred_on)))).label("rule_days"),
        )
        .select_from(EvidenceLink)
        .join(EvidenceVersion, EvidenceLink.evidence_version_id == EvidenceVersion.id)
        .join(Evidence, and_(Evidence.id == EvidenceVersion.evidence_id, or_(current, accepted)))
        .join(EvidenceType, Evidence.evidence_type_id == EvidenceType.id)
        .join(Competency, Competency.id == EvidenceLink.competency_id)
    )


def by_domain(progress: Iterable[CompetencyProgress]) -> list[DomainProgress]:
    """Group competency progress by domain, keeping the framework's order."""
    domains: dict[int, DomainProgress] = {}
    for item in progress:
        domain = domains.setdefault(
            item.domain_id, DomainProgress(item.domain_id, item.domain_code, item.domain_title)
        )
        domain.competencies.append(item)
    return list(domains.values())
