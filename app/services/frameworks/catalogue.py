"""Importing validated framework files and reading frameworks back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.frameworks import (
    Competency,
    Domain,
    EvidenceType,
    Framework,
    ScaleValue,
    Standard,
)
from app.models.users import User
from app.services.audit import chain as audit
from app.services.feedback.rules import store_rule as store_msf_rule
from app.services.frameworks.crosswalk import refuse_bad_crosswalk, store_crosswalk
from app.services.frameworks.framework_spec import RATING_LEVELS, DomainSpec, FrameworkSpec


class ImportOutcome(Enum):
    IMPORTED = "imported"
    UNCHANGED = "unchanged"


class ImportConflict(Exception):
    """The same id and version already exist with different content."""


@dataclass(frozen=True)
class FrameworkSummary:
    code: str
    version: str
    title: str
    status: str
    competency_count: int


def find_framework(code: str, version: str | None = None) -> Framework | None:
    """A framework version; the most recently imported one when `version` is None."""
    query = select(Framework).where(Framework.code == code)
    if version is not None:
        return db.session.scalar(query.where(Framework.version == version))
    return db.session.scalar(
        query.order_by(Framework.imported_at.desc(), Framework.id.desc()).limit(1)
    )


def already_imported(spec: FrameworkSpec, sha256: str) -> Framework | None:
    """The version imported with this content, if any; ImportConflict when its id and
    version are imported with different content (imported versions never change)."""
    existing = find_framework(spec.id, spec.version)
    if existing is not None and existing.sha256 != sha256:
        raise ImportConflict(
            f"{spec.id} version {spec.version} is already imported with different content; "
            "imported versions never change, so give the new content a new version"
        )
    return existing


def import_framework(
    spec: FrameworkSpec, sha256: str, *, actor: User | None = None
) -> tuple[ImportOutcome, Framework]:
    existing = already_imported(spec, sha256)
    if existing is not None:
        return ImportOutcome.UNCHANGED, existing
    refuse_bad_crosswalk(spec)  # CrosswalkRefused: the problems, by line
    framework = _framework_tree(spec, sha256)
    db.session.add(framework)
    db.session.flush()
    store_crosswalk(framework, spec)
    store_msf_rule(framework.id, spec.msf)
    audit.record(
        "framework.imported",
        "framework",
        framework.id,
        actor=actor,
        data={"code": spec.id, "version": spec.version, "sha256": sha256},
    )
    return ImportOutcome.IMPORTED, framework


def _framework_tree(spec: FrameworkSpec, sha256: str) -> Framework:
    """The framework row with its evidence types, scale, standards, domains and competencies."""
    framework = Framework(
        code=spec.id,
        version=spec.version,
        title=spec.title,
        publisher=spec.publisher,
        source_url=spec.source_url,
        status=spec.status,
        description=spec.description,
        sha256=sha256,
        min_evidence=spec.sign_off.min_evidence,
        min_types=spec.sign_off.min_types,
        require_observed=spec.sign_off.require_observed,
        require_assessor_completion=spec.sign_off.require_assessor_completion,
    )
    framework.evidence_types = [
        EvidenceType(
            code=t.id, label=t.label, description=t.description, observed=t.observed, position=i
        )
        for i, t in enumerate(spec.evidence_types)
    ]
    types = {t.code: t for t in framework.evidence_types}
    framework.scale = [
        ScaleValue(code=s.id, label=s.label, proficient=s.proficient, position=i)
        for i, s in enumerate(spec.scale)
    ]
    standards = {
        s.id: Standard(code=s.id, title=s.title, position=i) for i, s in enumerate(spec.standards)
    }
    framework.standards = list(standards.values())
    for d_pos, domain_spec in enumerate(spec.domains):
        framework.domains.append(_domain(framework, domain_spec, d_pos, standards, types))
    return framework


def _domain(
    framework: Framework,
    domain_spec: DomainSpec,
    d_pos: int,
    standards: dict[str, Standard],
    types: dict[str, EvidenceType],
) -> Domain:
    domain = Domain(
        code=domain_spec.id,
        title=domain_spec.title,
        description=domain_spec.description,
        position=d_pos,
    )
    for c_pos, c in enumerate(domain_spec.competencies):
        competency = Competency(
            code=c.id,
            title=c.title,
            description=c.description,
            indicators=list(c.indicators),
            position=c_pos,
            min_evidence=c.sign_off.min_evidence,
            min_types=c.sign_off.min_types,
            require_observed=c.sign_off.require_observed,
            require_assessor_completion=c.sign_off.require_assessor_completion,
            rule_overridden=c.sign_off_override,
            replaces_code=c.replaces,
            standards=[standards[s] for s in c.standards],
        )
        if c.observations is not None:
            competency.observation_min_items = c.observations.min_items
            competency.observation_distinct_days = c.observations.distinct_days
            competency.observation_min_level = RATING_LEVELS.index(c.observations.min_rating)
            competency.observation_types = [types[t] for t in c.observations.types]
        competency.framework = framework
        domain.competencies.append(competency)
    return domain


def framework_summaries() -> list[FrameworkSummary]:
    counts = (
        select(Competency.framework_id, func.count(Competency.id).label("n"))
        .group_by(Competency.framework_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Framework.code,
            Framework.version,
            Framework.title,
            Framework.status,
            func.coalesce(counts.c.n, 0),
        )
        .outerjoin(counts, counts.c.framework_id == Framework.id)
        .order_by(Framework.code, Framework.imported_at, Framework.id)
    )
    return [FrameworkSummary(*row) for row in rows]


def load_framework_tree(framework_id: int) -> Framework | None:
    """A framework with its domains, competencies and standards in a fixed number of queries."""
    return db.session.scalar(
        select(Framework)
        .where(Framework.id == framework_id)
        .options(
            selectinload(Framework.domains)
            .selectinload(Domain.competencies)
            .selectinload(Competency.standards),
            selectinload(Framework.domains)
            .selectinload(Domain.competencies)
            .selectinload(Competency.observation_types),
            selectinload(Framework.evidence_types),
            selectinload(Framework.scale),
            selectinload(Framework.standards),
        )
    )


# --- Choices for filters ------------------------------------------------------------------


_TYPE_CHOICES = (
    select(EvidenceType.code, EvidenceType.label)
    .where(EvidenceType.framework_id == bindparam("framework_id"))
    .order_by(EvidenceType.position)
)
_COMPETENCY_CHOICES = (
    select(Competency.code, Competency.title)
    .join(Domain, Competency.domain_id == Domain.id)
    .where(Competency.framework_id == bindparam("framework_id"))
    .order_by(Domain.position, Competency.position)
)


def filter_choices(framework_id: int) -> tuple[list[Row], list[Row]]:
    """(code, label) of the framework's evidence types and (code, title) of its
    competencies, each in the framework's order."""
    params = {"framework_id": framework_id}
    return (
        list(db.session.execute(_TYPE_CHOICES, params)),
        list(db.session.execute(_COMPETENCY_CHOICES, params)),
    )


# --- One competency's page ---------------------------------------------------------------


_COMPETENCY_BY_CODE = (
    select(Competency)
    .where(
        Competency.framework_id == bindparam("framework_id"), Competency.code == bindparam("code")
    )
    .options(joinedload(Competency.domain), selectinload(Competency.standards))
)
_OBSERVED_TYPE_LABELS = (
    select(EvidenceType.label)
    .where(EvidenceType.framework_id == bindparam("framework_id"), EvidenceType.observed)
    .order_by(EvidenceType.position)
)


def competency_by_code(framework_id: int, code: str) -> Competency | None:
    """A competency of the framework version, with its domain and standards (2 queries)."""
    return db.session.scalar(_COMPETENCY_BY_CODE, {"framework_id": framework_id, "code": code})


def observation_rule_of(competency: Competency) -> dict | None:
    """A competency's observation rule as the file writes it (`observations`); None if none."""
    if competency.observation_min_items is None:
        return None
    return {
        "types": [t.code for t in competency.observation_types],
        "min_items": competency.observation_min_items,
        "distinct_days": competency.observation_distinct_days,
        "min_rating": RATING_LEVELS[competency.observation_min_level or 0],
    }


def observed_type_labels(framework_id: int) -> list[str]:
    """The framework's evidence types that count as observed assessments, in order."""
    return list(db.session.scalars(_OBSERVED_TYPE_LABELS, {"framework_id": framework_id}))


# --- The competency chooser of the evidence form ---------------------------------------------


class ChooserCompetency(NamedTuple):
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class ChooserDomain:
    code: str
    title: str
    competencies: list[ChooserCompetency]


_CHOOSER = (
    select(Domain.code, Domain.title, Competency.id, Competency.code, Competency.title)
    .join(Domain, Competency.domain_id == Domain.id)
    .where(Competency.framework_id == bindparam("framework_id"))
    .order_by(Domain.position, Competency.position)
)


def chooser_domains(framework_id: int) -> list[ChooserDomain]:
    """The framework's domains, each with its competencies, in order (1 query): just what
    the evidence form's grouped chooser shows and names its fields by."""
    domains: list[ChooserDomain] = []
    for domain_code, domain_title, *competency in db.session.execute(
        _CHOOSER, {"framework_id": framework_id}
    ):
        if not domains or domains[-1].code != domain_code:
            domains.append(ChooserDomain(domain_code, domain_title, []))
        domains[-1].competencies.append(ChooserCompetency(*competency))
    return domains
