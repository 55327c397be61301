"""Reading a portfolio's evidence back: filtered pages, counts by status, items per competency.

Every query starts from `evidence_access.visible_evidence_for`, so nothing here can show
someone evidence the access rules hide, and each function issues a fixed number of
queries however many items there are. Competency links are always those of an item's
current version: that is what the item claims now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, func, select

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import EVIDENCE_STATUSES, Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import Competency, EvidenceType
from app.models.users import User
from app.services.evidence_access import visible_evidence_for


@dataclass(frozen=True)
class EvidenceFilters:
    """What a list is narrowed to; None means "any"."""

    type_code: str | None = None
    status: str | None = None
    competency_code: str | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None

    @property
    def active(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    title: str
    type_code: str
    type_label: str
    occurred_on: date
    status: str
    updated_at: datetime
    version_number: int
    competency_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EvidencePage:
    rows: list[EvidenceRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_number(self) -> int:
        """The position of the first row in the whole list (1-based), for "Showing 26 to 50"."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1 if self.rows else 0


def _current_link_codes():
    """(evidence id, competency code) of every item's current version, in framework order."""
    return (
        select(EvidenceVersion.evidence_id, Competency.code)
        .join(EvidenceLink, EvidenceLink.evidence_version_id == EvidenceVersion.id)
        .join(Competency, EvidenceLink.competency_id == Competency.id)
        .join(
            Evidence,
            and_(
                Evidence.id == EvidenceVersion.evidence_id,
                Evidence.current_version_number == EvidenceVersion.number,
            ),
        )
        .order_by(Competency.domain_id, Competency.position)
    )


def _links_current_version_to(competency_code: str):
    return exists(
        select(EvidenceLink.id)
        .join(EvidenceVersion, EvidenceLink.evidence_version_id == EvidenceVersion.id)
        .join(Competency, EvidenceLink.competency_id == Competency.id)
        .where(
            EvidenceVersion.evidence_id == Evidence.id,
            EvidenceVersion.number == Evidence.current_version_number,
            Competency.code == competency_code,
            Competency.framework_id == Enrolment.framework_id,
        )
    )


def _filtered(viewer: User, enrolment: Enrolment, filters: EvidenceFilters):
    query = (
        visible_evidence_for(viewer)
        .join(EvidenceType, Evidence.evidence_type_id == EvidenceType.id)
        .where(Evidence.enrolment_id == enrolment.id)
    )
    if filters.type_code is not None:
        query = query.where(EvidenceType.code == filters.type_code)
    if filters.status is not None:
        query = query.where(Evidence.status == filters.status)
    if filters.competency_code is not None:
        query = query.where(_links_current_version_to(filters.competency_code))
    if filters.occurred_from is not None:
        query = query.where(Evidence.occurred_on >= filters.occurred_from)
    if filters.occurred_to is not None:
        query = query.where(Evidence.occurred_on <= filters.occurred_to)
    return query


def evidence_page(
    viewer: User,
    enrolment: Enrolment,
    filters: EvidenceFilters = EvidenceFilters(),
    *,
    page: int = 1,
    per_page: int = 25,
) -> EvidencePage:
    """One page of the enrolment's evidence that `viewer` may see, newest activity first.

    Three queries whatever the page holds: the count, the rows, and their competencies.
    """
    query = _filtered(viewer, enrolment, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = _rows(
        query.order_by(Evidence.occurred_on.desc(), Evidence.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return EvidencePage(rows, page, per_page, total)


def evidence_row(viewer: User, evidence_id: int) -> EvidenceRow | None:
    """One item as a list shows it, if `viewer` may see it (2 queries)."""
    query = visible_evidence_for(viewer).join(
        EvidenceType, Evidence.evidence_type_id == EvidenceType.id
    )
    found = _rows(query.where(Evidence.id == evidence_id))
    return found[0] if found else None


def _rows(query) -> list[EvidenceRow]:
    """The list columns of the items `query` selects, with their current competencies."""
    found = db.session.execute(
        query.with_only_columns(
            Evidence.id,
            Evidence.title,
            EvidenceType.code,
            EvidenceType.label,
            Evidence.occurred_on,
            Evidence.status,
            Evidence.updated_at,
            Evidence.current_version_number,
        )
    ).all()
    codes: dict[int, list[str]] = defaultdict(list)
    if found:
        links = db.session.execute(
            _current_link_codes().where(EvidenceVersion.evidence_id.in_([row[0] for row in found]))
        ).all()
        for evidence_id, code in links:
            codes[evidence_id].append(code)
    return [EvidenceRow(*row, competency_codes=codes[row[0]]) for row in found]


def status_counts(viewer: User, enrolment: Enrolment) -> dict[str, int]:
    """How many of the enrolment's items `viewer` may see are in each status (all keys present)."""
    query = visible_evidence_for(viewer).where(Evidence.enrolment_id == enrolment.id)
    counted = db.session.execute(
        query.with_only_columns(Evidence.status, func.count(Evidence.id)).group_by(Evidence.status)
    ).all()
    counts = dict.fromkeys(EVIDENCE_STATUSES, 0)
    counts.update(dict(counted))
    return counts


@dataclass(frozen=True)
class LinkedEvidence:
    id: int
    title: str
    type_label: str
    observed: bool
    occurred_on: date
    status: str
    note: str


def evidence_linked_to(
    viewer: User, enrolment: Enrolment, competency: Competency
) -> list[LinkedEvidence]:
    """Items whose current version links `competency`, with the note, newest first (1 query)."""
    rows = db.session.execute(
        visible_evidence_for(viewer)
        .join(EvidenceType, Evidence.evidence_type_id == EvidenceType.id)
        .join(
            EvidenceVersion,
            and_(
                EvidenceVersion.evidence_id == Evidence.id,
                EvidenceVersion.number == Evidence.current_version_number,
            ),
        )
        .join(EvidenceLink, EvidenceLink.evidence_version_id == EvidenceVersion.id)
        .where(Evidence.enrolment_id == enrolment.id, EvidenceLink.competency_id == competency.id)
        .with_only_columns(
            Evidence.id,
            Evidence.title,
            EvidenceType.label,
            EvidenceType.observed,
            Evidence.occurred_on,
            Evidence.status,
            EvidenceLink.note,
        )
        .order_by(Evidence.occurred_on.desc(), Evidence.id.desc())
    ).all()
    return [LinkedEvidence(*row) for row in rows]
