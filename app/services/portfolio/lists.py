"""Reading a portfolio's evidence back: filtered pages, counts by status, items per competency.

Every query starts from `evidence_access.visible_evidence_for`, so nothing here can show
someone evidence the access rules hide, and each function issues a fixed number of
queries however many items there are. Each item is read at the version its viewer sees
(`evidence_access.seen_version_number`): title, date, status and competency links are
that version's, so a trainee's revision in progress never shows to anyone else.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.enrolments import Enrolment
from app.models.evidence import EVIDENCE_STATUSES, Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import Competency, EvidenceType
from app.models.users import User
from app.services.paging import PageNumbers, clamp_page
from app.services.portfolio.access import (
    VIEWER_KINDS,
    AccessFlags,
    access_flags,
    seen_status,
    seen_version_number,
    viewer_params,
    visible_evidence_template,
)


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
    # The assessor completed the assessor's part themselves (issue 16), for this version
    # or an earlier one; otherwise the trainee entered everything.
    assessor_completed: bool = False
    competency_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EvidencePage(PageNumbers):
    rows: list[EvidenceRow]
    page: int
    per_page: int
    total: int

    @property
    def shown(self) -> int:
        return len(self.rows)


# The version of each item its viewer sees.
Seen = aliased(EvidenceVersion, name="seen_version")


def _seen(flags: AccessFlags):
    """The items `flags`' kind of viewer may see, each joined to the version they see;
    the viewer is bound per call (`viewer_params`)."""
    viewer_id = bindparam("viewer_id")
    return visible_evidence_template(flags).join(
        Seen,
        and_(
            Seen.evidence_id == Evidence.id,
            Seen.number == seen_version_number(flags, viewer_id),
        ),
    )


def _links_seen_version_to(competency_code):
    return exists(
        select(EvidenceLink.id)
        .join(Competency, EvidenceLink.competency_id == Competency.id)
        .where(
            EvidenceLink.evidence_version_id == Seen.id,
            Competency.code == competency_code,
            Competency.framework_id == Enrolment.framework_id,
        )
    )


FILTERS = ("type_code", "status", "competency_code", "occurred_from", "occurred_to")


def _page_statements(flags: AccessFlags, used: tuple[bool, ...]):
    """The count and one page of rows for a kind of viewer and the filters in use: the
    viewer, the enrolment, the filters' values and the page are bound per call."""
    query = (
        _seen(flags)
        .join(EvidenceType, Evidence.evidence_type_id == EvidenceType.id)
        .where(Evidence.enrolment_id == bindparam("enrolment_id"))
    )
    type_code, status, competency_code, occurred_from, occurred_to = used
    if type_code:
        query = query.where(EvidenceType.code == bindparam("type_code"))
    if status:
        query = query.where(seen_status(flags, bindparam("viewer_id")) == bindparam("status"))
    if competency_code:
        query = query.where(_links_seen_version_to(bindparam("competency_code")))
    if occurred_from:
        query = query.where(Seen.occurred_on >= bindparam("occurred_from"))
    if occurred_to:
        query = query.where(Seen.occurred_on <= bindparam("occurred_to"))
    count = select(func.count()).select_from(query.subquery())
    rows = (
        _row_columns(query, flags)
        .order_by(Seen.occurred_on.desc(), Evidence.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, rows


NO_FILTERS = (False,) * len(FILTERS)


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
    values = {name: getattr(filters, name) for name in FILTERS}
    flags, used = access_flags(viewer), tuple(value is not None for value in values.values())
    count_sql, rows_sql = (
        _UNFILTERED_PAGE[flags] if used == NO_FILTERS else _page_statements(flags, used)
    )
    params = {
        **viewer_params(viewer),
        "enrolment_id": enrolment.id,
        **{name: value for name, value in values.items() if value is not None},
    }
    total = db.session.scalar(count_sql, params) or 0
    page = clamp_page(page, total, per_page)
    found = db.session.execute(
        rows_sql, {**params, "limit": per_page, "offset": (page - 1) * per_page}
    ).all()
    return EvidencePage(_with_codes(found), page, per_page, total)


def _row_statement(flags: AccessFlags):
    query = _seen(flags).join(EvidenceType, Evidence.evidence_type_id == EvidenceType.id)
    return _row_columns(query.where(Evidence.id == bindparam("evidence_id")), flags)


def evidence_row(viewer: User, evidence_id: int) -> EvidenceRow | None:
    """One item as a list shows it, if `viewer` may see it (2 queries)."""
    found = db.session.execute(
        _ROW[access_flags(viewer)],
        {**viewer_params(viewer), "evidence_id": evidence_id},
    ).all()
    rows = _with_codes(found)
    return rows[0] if rows else None


def _row_columns(query, flags: AccessFlags):
    """The list's columns of the items `query` selects, at the version each viewer sees,
    and that version's id (for its competency codes)."""
    return query.with_only_columns(
        Evidence.id,
        Seen.title,
        EvidenceType.code,
        EvidenceType.label,
        Seen.occurred_on,
        seen_status(flags, bindparam("viewer_id")),
        Evidence.updated_at,
        Seen.number,
        exists()
        .where(AssessmentRequest.evidence_id == Evidence.id)
        .where(AssessmentRequest.completed_at.is_not(None))
        .where(AssessmentRequest.version_number <= Seen.number)
        .label("assessor_completed"),
        Seen.id,
    )


# The list unfiltered, as most views show it; a filtered list is built for its filters.
_UNFILTERED_PAGE = {flags: _page_statements(flags, NO_FILTERS) for flags in VIEWER_KINDS}
_ROW = {flags: _row_statement(flags) for flags in VIEWER_KINDS}


# Codes of the enrolment's current framework version only: links kept from before a move
# to a new version (`framework_moves`) stay on the record but are not listed as current.
_LINK_CODES = (
    select(EvidenceLink.evidence_version_id, Competency.code)
    .join(Competency, EvidenceLink.competency_id == Competency.id)
    .join(EvidenceVersion, EvidenceVersion.id == EvidenceLink.evidence_version_id)
    .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
    .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
    .where(
        EvidenceLink.evidence_version_id.in_(bindparam("version_ids", expanding=True)),
        Competency.framework_id == Enrolment.framework_id,
    )
    .order_by(Competency.domain_id, Competency.position)
)


def _with_codes(found) -> list[EvidenceRow]:
    """The rows with the competency codes of the versions they show, in framework order
    (1 query)."""
    codes: dict[int, list[str]] = defaultdict(list)
    if found:
        links = db.session.execute(_LINK_CODES, {"version_ids": [row[-1] for row in found]})
        for version_id, code in links:
            codes[version_id].append(code)
    return [EvidenceRow(*row[:-1], competency_codes=codes[row[-1]]) for row in found]


def _status_counts_statement(flags: AccessFlags):
    status = seen_status(flags, bindparam("viewer_id"))
    return (
        visible_evidence_template(flags)
        .where(Evidence.enrolment_id == bindparam("enrolment_id"))
        .with_only_columns(status, func.count(Evidence.id))
        .group_by(status)
    )


_STATUS_COUNTS = {flags: _status_counts_statement(flags) for flags in VIEWER_KINDS}


def status_counts(viewer: User, enrolment: Enrolment) -> dict[str, int]:
    """How many of the enrolment's items `viewer` may see are in each status (all keys present)."""
    counted = db.session.execute(
        _STATUS_COUNTS[access_flags(viewer)],
        {**viewer_params(viewer), "enrolment_id": enrolment.id},
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


def _linked_statement(flags: AccessFlags):
    return (
        _seen(flags)
        .join(EvidenceType, Evidence.evidence_type_id == EvidenceType.id)
        .join(EvidenceLink, EvidenceLink.evidence_version_id == Seen.id)
        .where(
            Evidence.enrolment_id == bindparam("enrolment_id"),
            EvidenceLink.competency_id == bindparam("competency_id"),
        )
        .with_only_columns(
            Evidence.id,
            Seen.title,
            EvidenceType.label,
            EvidenceType.observed,
            Seen.occurred_on,
            seen_status(flags, bindparam("viewer_id")),
            EvidenceLink.note,
        )
        .order_by(Seen.occurred_on.desc(), Evidence.id.desc())
    )


_LINKED = {flags: _linked_statement(flags) for flags in VIEWER_KINDS}


def evidence_linked_to(
    viewer: User, enrolment: Enrolment, competency: Competency
) -> list[LinkedEvidence]:
    """Items whose seen version links `competency`, with the note, newest first (1 query)."""
    rows = db.session.execute(
        _LINKED[access_flags(viewer)],
        {**viewer_params(viewer), "enrolment_id": enrolment.id, "competency_id": competency.id},
    ).all()
    return [LinkedEvidence(*row) for row in rows]
