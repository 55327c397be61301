"""What each competency still needs before it can be signed off, counted from the database.

A competency's rule (its framework's default, or its own override, perhaps with an
observation rule) is decided in `sufficiency_rule.shortfall`; here accepted evidence is
counted for it. Only accepted evidence counts, and only through the competencies its
accepted version (`Evidence.accepted_version_number`) links. What was accepted is what
was assessed, so while the trainee revises it, or a revision waits for review or is
sent back for changes, the accepted version goes on counting; a revision counts only
once it is accepted, and then in place of the version before. A version its assessor
judged below the expected level counts for nothing.

Statuses: not_started (nothing linked) -> in_progress (something linked) -> ready
(the rule is met) -> signed_off (given by the caller until sign-offs exist).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, bindparam, case, distinct, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import (
    Competency,
    Domain,
    EvidenceType,
    competency_observation_types,
)
from app.services.portfolio.sufficiency_rule import (
    AcceptedItem,
    ObservationRule,
    Rule,
    Shortfall,
    counts_of,
    describe_rule,
    meets,
    missing_for,
    missing_for_counts,
    shortfall,
    status_for,
    status_from_counts,
    words_for,
)

__all__ = [
    "RULE_COLUMNS",
    "AcceptedItem",
    "CompetencyProgress",
    "DomainProgress",
    "ObservationRule",
    "Rule",
    "Shortfall",
    "by_domain",
    "counts_from_row",
    "counts_of",
    "describe_rule",
    "link_counts",
    "meets",
    "missing_for",
    "missing_for_counts",
    "progress_for",
    "rule_from_columns",
    "shortfall",
    "status_for",
    "status_from_counts",
]


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
    competencies_sql, links_sql = _PROGRESS_OF_ONE if competency_id is not None else _PROGRESS
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
        missing = words_for(rule, short, types)
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
    Competency.require_assessor_completion,
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
    return Rule(
        row.min_evidence,
        row.min_types,
        row.require_observed,
        observations,
        bool(row.require_assessor_completion),
    )


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
    # Where the competency's rule says so, an observation counts only when its assessor
    # completed it, for this version or an earlier one (their answers are locked since).
    by_assessor = (
        exists()
        .where(AssessmentRequest.evidence_id == Evidence.id)
        .where(AssessmentRequest.completed_at.is_not(None))
        .where(AssessmentRequest.version_number <= EvidenceVersion.number)
    )
    observed = and_(
        EvidenceType.observed, or_(~Competency.require_assessor_completion, by_assessor)
    )
    for_rule = and_(
        counted,
        observed,
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
            func.sum(case((and_(counted, observed), 1), else_=0)).label("observed"),
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


_PROGRESS = _progress_statements(one=False)
_PROGRESS_OF_ONE = _progress_statements(one=True)


def by_domain(progress: Iterable[CompetencyProgress]) -> list[DomainProgress]:
    """Group competency progress by domain, keeping the framework's order."""
    domains: dict[int, DomainProgress] = {}
    for item in progress:
        domain = domains.setdefault(
            item.domain_id, DomainProgress(item.domain_id, item.domain_code, item.domain_title)
        )
        domain.competencies.append(item)
    return list(domains.values())
