"""The progress report: one row per active trainee in a viewer's scope, with progress by
domain, review backlog, activity, registration, Level 3, supervision, programme status
and flags. The cohort dashboard, the exports and the JSON API all read it from here.

However many trainees it covers, it costs the same number of SQL queries: one for the
enrolments and one aggregate (GROUP BY over every enrolment in scope) per kind of fact,
never one query per trainee. Exports use `iter_progress`, which does the same in batches
of `EXPORT_BATCH_SIZE` trainees so memory stays flat.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from flask import current_app
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.frameworks import Competency, Domain
from app.models.organisations import Cohort, Organisation
from app.models.registration import Qualification, Registration
from app.models.reviews import Review
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.supervision import SupervisionSession
from app.models.users import User
from app.services.development import objectives as development_objectives
from app.services.development import stages as development_stages
from app.services.paging import PageNumbers, clamp_page
from app.services.registration.records import ShownRegistration, status_of
from app.services.registration.settings import protected_learning_days
from app.services.reporting.flags import (
    Flag,
    FlagFacts,
    ReportThresholds,
    expected_percent,
    flags_for,
    percent,
    report_thresholds,
    supervision_window_start,
)
from app.services.reporting.scope import ReportFilters, enrolment_ids, restrict, scope_for

_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class DomainColumn:
    code: str
    title: str


class DomainCount(NamedTuple):
    code: str
    title: str
    signed_off: int
    total: int

    @property
    def percent(self) -> int:
        return percent(self.signed_off, self.total)


@dataclass(frozen=True, slots=True)
class TraineeProgress:
    """One trainee's row. Dates are UTC calendar days; `flags` are `Flag` values."""

    enrolment_id: int
    trainee_id: int
    name: str
    email: str
    gphc_number: str | None
    organisation_id: int | None
    organisation: str | None
    cohort_id: int | None
    cohort: str | None
    framework_id: int
    clinical_supervisor_id: int | None
    clinical_supervisor: str | None
    education_supervisor_id: int | None
    education_supervisor: str | None
    domains: tuple[DomainCount, ...]
    signed_off: int
    total: int
    percent: int
    expected_percent: int
    awaiting_review: int
    oldest_waiting_since: datetime | None
    last_activity_on: date
    registration_status: str | None  # Registration.status of the current row, if any
    registration_flag: str  # registration.FLAG_COLOURS key: current, renewal-due, ...
    registration_label: str
    registration_expires_on: date | None
    renewal_deadline: date | None  # renewal and revalidation are due by this day
    registration_verified: bool
    level3_status: str | None  # Qualification.status, None when nothing is recorded
    level3_verified: bool
    supervision_sessions: int  # held in the last month (REPORT_SUPERVISION_WINDOW_DAYS)
    last_supervision_on: date | None
    pathway_status: str
    wte: Decimal | None
    funding: str | None
    afc_band: str | None
    protected_learning_days_used: Decimal
    protected_learning_days_allowed: int
    started_on: date
    expected_end_on: date
    flags: tuple[Flag, ...]
    # PCPEP: the current stage (entry, intermediate, advanced; None before one is recorded)
    # and the day it began; objectives still open after their target date.
    pathway_stage: str | None = None
    pathway_stage_since: date | None = None
    overdue_objectives: int = 0

    def domain(self, code: str) -> DomainCount | None:
        for count in self.domains:  # a handful: a loop beats building a lookup per row
            if count.code == code:
                return count
        return None


@dataclass(frozen=True)
class Report:
    """Every row matching the filters (by name), with the counts the dashboard summarises."""

    domain_columns: list[DomainColumn]
    rows: list[TraineeProgress]
    flag_counts: dict[Flag, int]  # over the rows before the flag filter
    thresholds: ReportThresholds
    today: date


@dataclass(frozen=True)
class ReportPage(PageNumbers):
    rows: list[TraineeProgress]
    total: int
    page: int
    per_page: int
    domain_columns: list[DomainColumn]
    # None when the page was read without building every row (see `progress_report`).
    flag_counts: dict[Flag, int] | None
    thresholds: ReportThresholds

    @property
    def shown(self) -> int:
        return len(self.rows)


# Keys read from the enrolment and its people alone (the base query's columns share these
# names), so a page sorted by one of them needs the other facts of that page only.
SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "name": lambda r: r.name.casefold(),
    "organisation": lambda r: r.organisation.casefold() if r.organisation else None,
    "cohort": lambda r: r.cohort.casefold() if r.cohort else None,
    "supervisor": lambda r: r.clinical_supervisor.casefold() if r.clinical_supervisor else None,
    "progress": lambda r: r.percent,
    "awaiting": lambda r: r.awaiting_review,
    "last_activity": lambda r: r.last_activity_on,
    "registration_expiry": lambda r: r.registration_expires_on,
    "started_on": lambda r: r.started_on,
    "expected_end": lambda r: r.expected_end_on,
    "flags": lambda r: len(r.flags),
}
# The keys that read the enrolment and its people alone (`_SortRow` holds their columns).
BASE_SORT_KEYS = frozenset(
    {"name", "organisation", "cohort", "supervisor", "started_on", "expected_end"}
)


# --- Queries ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Base:
    """A trainee's base query row: the enrolment and its people."""

    enrolment_id: int
    trainee_id: int
    name: str
    email: str
    organisation_id: int | None
    organisation: str | None
    cohort_id: int | None
    cohort: str | None
    framework_id: int
    clinical_supervisor_id: int | None
    clinical_supervisor: str | None
    education_supervisor_id: int | None
    education_supervisor: str | None
    started_on: date
    expected_end_on: date
    pathway_status: str
    wte: Decimal | None
    protected_learning_days_used: Decimal | None
    funding: str | None
    afc_band: str | None


@dataclass(slots=True)
class _SortRow:
    """What the API list sorts everyone in scope on before it reads one page in full: the
    name, the enrolment and its framework, and the columns of BASE_SORT_KEYS."""

    enrolment_id: int
    name: str
    framework_id: int
    organisation: str | None
    cohort: str | None
    clinical_supervisor: str | None
    started_on: date
    expected_end_on: date


def _bases(rows: Iterable) -> list[_Base]:
    return [_Base(*row) for row in rows]


def _base_query(viewer: User, filters: ReportFilters) -> Select:
    """The enrolments in scope with their people, by name: columns as `_Base` names them."""
    trainee = aliased(User)
    clinical = aliased(User)
    education = aliased(User)
    query = (
        select(
            Enrolment.id.label("enrolment_id"),
            Enrolment.trainee_id,
            trainee.name,
            trainee.email,
            trainee.organisation_id,
            Organisation.name.label("organisation"),
            Enrolment.cohort_id,
            Cohort.name.label("cohort"),
            Enrolment.framework_id,
            Enrolment.clinical_supervisor_id,
            clinical.name.label("clinical_supervisor"),
            Enrolment.education_supervisor_id,
            education.name.label("education_supervisor"),
            Enrolment.started_on,
            Enrolment.expected_end_on,
            Enrolment.pathway_status,
            Enrolment.wte,
            Enrolment.protected_learning_days_used,
            Enrolment.funding,
            Enrolment.afc_band,
        )
        .join(trainee, trainee.id == Enrolment.trainee_id)
        .outerjoin(Organisation, Organisation.id == trainee.organisation_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(clinical, clinical.id == Enrolment.clinical_supervisor_id)
        .outerjoin(education, education.id == Enrolment.education_supervisor_id)
        .order_by(trainee.name, Enrolment.id)
    )
    return restrict(query, trainee, scope_for(viewer), filters)


@dataclass(frozen=True)
class _DomainInfo:
    id: int
    code: str
    title: str
    total: int


def _domains(framework_ids: Iterable[int] | Select) -> dict[int, list[_DomainInfo]]:
    """Each framework's domains in order, with their competency counts (one query)."""
    rows = db.session.execute(
        select(Domain.id, Domain.framework_id, Domain.code, Domain.title, func.count(Competency.id))
        .outerjoin(Competency, Competency.domain_id == Domain.id)
        .where(Domain.framework_id.in_(framework_ids))
        .group_by(Domain.id, Domain.framework_id, Domain.code, Domain.title, Domain.position)
        .order_by(Domain.framework_id, Domain.position)
    )
    found: dict[int, list[_DomainInfo]] = defaultdict(list)
    for domain_id, framework_id, code, title, total in rows:
        found[framework_id].append(_DomainInfo(domain_id, code, title, total))
    return found


def _columns(domains: dict[int, list[_DomainInfo]]) -> list[DomainColumn]:
    """One column per domain code; versions of a framework share codes, the newest names."""
    columns: dict[str, DomainColumn] = {}
    for framework_id in sorted(domains, reverse=True):
        for info in domains[framework_id]:
            columns.setdefault(info.code, DomainColumn(info.code, info.title))
    return list(columns.values())


def _sign_offs(ids) -> tuple[dict[int, dict[int, int]], dict[int, datetime]]:
    """Standing proficient sign-offs per enrolment and domain, and each enrolment's latest
    sign-off of any kind (one query). A competency has one standing sign-off at most (the
    service refuses another until it is revoked), so a plain count is exact."""
    standing = and_(SignOff.proficient.is_(True), SignOffRevocation.id.is_(None))
    rows = db.session.execute(
        select(
            SignOff.enrolment_id,
            Competency.domain_id,
            func.sum(case((standing, 1), else_=0)),
            func.max(SignOff.signed_at),
        )
        .join(Competency, Competency.id == SignOff.competency_id)
        .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(SignOff.enrolment_id.in_(ids))
        .group_by(SignOff.enrolment_id, Competency.domain_id)
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    latest: dict[int, datetime] = {}
    for enrolment_id, domain_id, count, signed_at in rows:
        counts[enrolment_id][domain_id] = count
        if enrolment_id not in latest or signed_at > latest[enrolment_id]:
            latest[enrolment_id] = signed_at
    return counts, latest


def _evidence(ids) -> dict[int, tuple[int, datetime | None, datetime | None]]:
    """Per enrolment: submissions awaiting review, the oldest of them, the latest change."""
    submitted = Evidence.status == "submitted"
    rows = db.session.execute(
        select(
            Evidence.enrolment_id,
            func.sum(case((submitted, 1), else_=0)),
            func.min(case((submitted, Evidence.submitted_at))),
            func.max(Evidence.updated_at),
        )
        .where(Evidence.enrolment_id.in_(ids))
        .group_by(Evidence.enrolment_id)
    )
    return {e: (int(n or 0), oldest, latest) for e, n, oldest, latest in rows}


def _reviews(ids) -> dict[int, datetime]:
    rows = db.session.execute(
        select(Evidence.enrolment_id, func.max(Review.created_at))
        .join(Review, Review.evidence_id == Evidence.id)
        .where(Evidence.enrolment_id.in_(ids))
        .group_by(Evidence.enrolment_id)
    )
    return dict(rows.all())


def _supervision(ids, since: date) -> dict[int, tuple[int, date | None]]:
    rows = db.session.execute(
        select(
            SupervisionSession.enrolment_id,
            func.sum(case((SupervisionSession.held_on >= since, 1), else_=0)),
            func.max(SupervisionSession.held_on),
        )
        .where(SupervisionSession.enrolment_id.in_(ids))
        .group_by(SupervisionSession.enrolment_id)
    )
    return {e: (int(n or 0), last) for e, n, last in rows}


REGISTRATION_SHOWN = tuple(getattr(Registration, name) for name in ShownRegistration._fields)


def _registrations(trainee_ids) -> dict[int, ShownRegistration]:
    """Each trainee's current (newest) registration (one query)."""
    latest = (
        select(func.max(Registration.id))
        .where(Registration.user_id.in_(trainee_ids))
        .group_by(Registration.user_id)
    )
    rows = db.session.execute(select(*REGISTRATION_SHOWN).where(Registration.id.in_(latest)))
    return {row[0]: ShownRegistration._make(row) for row in rows}


def _qualifications(trainee_ids) -> dict[int, tuple[str, bool]]:
    rows = db.session.execute(
        select(Qualification.user_id, Qualification.status, Qualification.verified_by_id).where(
            Qualification.user_id.in_(trainee_ids)
        )
    )
    return {user_id: (status, verified is not None) for user_id, status, verified in rows}


# --- Assembly ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Framework:
    """What every row on one framework shares: its domains, in order, and its size."""

    domain_ids: tuple[int, ...]
    codes: tuple[str, ...]
    titles: tuple[str, ...]
    totals: tuple[int, ...]
    total: int

    @classmethod
    def of(cls, infos: list[_DomainInfo]) -> _Framework:
        totals = tuple(d.total for d in infos)
        return cls(
            tuple(d.id for d in infos),
            tuple(d.code for d in infos),
            tuple(d.title for d in infos),
            totals,
            sum(totals),
        )


_NOTHING_SIGNED: dict[int, int] = {}


def _assemble(
    bases: list[_Base],
    ids,
    domains: dict[int, list[_DomainInfo]],
    *,
    today: date,
    now: datetime,
    thresholds: ReportThresholds,
) -> list[TraineeProgress]:
    """Rows for `bases`, whose enrolment ids `ids` selects (a subquery or a list). Runs
    once per trainee of a whole-region export: kept lean."""
    if not bases:
        return []
    trainee_ids = select(Enrolment.trainee_id).where(Enrolment.id.in_(ids))
    signed, latest_sign_off = _sign_offs(ids)
    evidence = _evidence(ids)
    reviews = _reviews(ids)
    supervision = _supervision(ids, supervision_window_start(today, thresholds))
    registrations = _registrations(trainee_ids)
    qualifications = _qualifications(trainee_ids)
    current_stages = development_stages.current_stages(ids)
    overdue = development_objectives.overdue_counts(ids, today)
    allowance = protected_learning_days()
    frameworks = {framework_id: _Framework.of(infos) for framework_id, infos in domains.items()}
    empty = _Framework.of([])
    rows = []
    for base in bases:
        enrolment_id, trainee_id = base.enrolment_id, base.trainee_id
        framework = frameworks.get(base.framework_id, empty)
        mine = signed.get(enrolment_id, _NOTHING_SIGNED)
        per_domain = [mine.get(domain_id, 0) for domain_id in framework.domain_ids]
        counts = tuple(
            map(DomainCount, framework.codes, framework.titles, per_domain, framework.totals)
        )
        signed_off = sum(per_domain)
        total = framework.total
        awaiting, oldest, changed = evidence.get(enrolment_id, (0, None, None))
        last_activity = base.started_on
        moments = (changed, reviews.get(enrolment_id), latest_sign_off.get(enrolment_id))
        latest = max((m for m in moments if m is not None), default=None)
        if latest is not None and latest.date() > last_activity:
            last_activity = latest.date()
        sessions, last_session = supervision.get(enrolment_id, (0, None))
        registration = status_of(trainee_id, registrations.get(trainee_id), today)
        level3_status, level3_verified = qualifications.get(trainee_id, (None, False))
        done = percent(signed_off, total)
        expected = expected_percent(base.started_on, base.expected_end_on, today)
        facts = FlagFacts(
            started_on=base.started_on,
            last_activity_on=last_activity,
            oldest_waiting_since=oldest,
            percent=done,
            expected_percent=expected,
            total=total,
            registration_flag=registration.flag,
            supervision_sessions=sessions,
        )
        current = registration.registration
        position = registration.position
        stage = current_stages.get(enrolment_id)
        rows.append(
            TraineeProgress(
                enrolment_id=enrolment_id,
                trainee_id=trainee_id,
                name=base.name,
                email=base.email,
                gphc_number=current.number if current else None,
                organisation_id=base.organisation_id,
                organisation=base.organisation,
                cohort_id=base.cohort_id,
                cohort=base.cohort,
                framework_id=base.framework_id,
                clinical_supervisor_id=base.clinical_supervisor_id,
                clinical_supervisor=base.clinical_supervisor,
                education_supervisor_id=base.education_supervisor_id,
                education_supervisor=base.education_supervisor,
                domains=counts,
                signed_off=signed_off,
                total=total,
                percent=done,
                expected_percent=expected,
                awaiting_review=awaiting,
                oldest_waiting_since=oldest,
                last_activity_on=last_activity,
                registration_status=current.status if current else None,
                registration_flag=registration.flag,
                registration_label=registration.label,
                registration_expires_on=current.expires_on if current else None,
                renewal_deadline=position.renewal_deadline if position else None,
                registration_verified=registration.verified,
                level3_status=level3_status,
                level3_verified=level3_verified,
                supervision_sessions=sessions,
                last_supervision_on=last_session,
                pathway_status=base.pathway_status,
                wte=base.wte,
                funding=base.funding,
                afc_band=base.afc_band,
                protected_learning_days_used=Decimal(base.protected_learning_days_used or 0),
                protected_learning_days_allowed=allowance,
                started_on=base.started_on,
                expected_end_on=base.expected_end_on,
                flags=flags_for(facts, thresholds, today, now),
                pathway_stage=stage.stage if stage else None,
                pathway_stage_since=stage.started_on if stage else None,
                overdue_objectives=overdue.get(enrolment_id, 0),
            )
        )
    return rows


def _when(today: date | None, now: datetime | None) -> tuple[date, datetime]:
    now = now or utcnow()
    return today or now.date(), now


# --- Public API -------------------------------------------------------------------------


def build_report(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Report:
    """Every matching row, by name, in a fixed number of queries (10 for a non-empty scope)."""
    filters = filters or ReportFilters()
    today, now = _when(today, now)
    thresholds = report_thresholds()
    base_rows = _bases(db.session.execute(_base_query(viewer, filters)))
    framework_ids = {row.framework_id for row in base_rows}
    domains = _domains(framework_ids) if base_rows else {}
    ids = enrolment_ids(scope_for(viewer), filters)
    rows = _assemble(base_rows, ids, domains, today=today, now=now, thresholds=thresholds)
    flag_counts = {flag: sum(1 for r in rows if flag in r.flags) for flag in Flag}
    if filters.flag:
        rows = [r for r in rows if filters.flag in r.flags]
    return Report(_columns(domains), rows, flag_counts, thresholds, today)


def sort_rows(rows: Iterable[_R], sort: str = "name", *, descending: bool = False) -> list[_R]:
    """Rows by one of SORT_KEYS (unknown: name); rows without a value go last either way.

    The rows are report rows, or base query rows for the keys in BASE_SORT_KEYS."""
    key = SORT_KEYS.get(sort, SORT_KEYS["name"])
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.enrolment_id))
    present = [r for r in by_name if key(r) is not None]
    missing = [r for r in by_name if key(r) is None]
    present.sort(key=key, reverse=descending)
    return present + missing


def page_of(
    report: Report,
    *,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> ReportPage:
    per_page = max(1, per_page)
    total = len(report.rows)
    page = clamp_page(page, total, per_page)
    ordered = sort_rows(report.rows, sort, descending=descending)
    start = (page - 1) * per_page
    return ReportPage(
        rows=ordered[start : start + per_page],
        total=total,
        page=page,
        per_page=per_page,
        domain_columns=report.domain_columns,
        flag_counts=report.flag_counts,
        thresholds=report.thresholds,
    )


def progress_report(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
    today: date | None = None,
    now: datetime | None = None,
) -> ReportPage:
    """One page of the report: what the JSON API lists.

    Sorted by a column of the enrolment itself (BASE_SORT_KEYS) and with no flag filter,
    the page is chosen from the base rows and only its trainees are aggregated: the same
    fixed number of queries, over one page instead of every trainee in scope (flag counts
    are then not counted). Otherwise every row is built, as for the dashboard.
    """
    filters = filters or ReportFilters()
    if filters.flag or sort not in BASE_SORT_KEYS:
        report = build_report(viewer, filters, today=today, now=now)
        return page_of(report, sort=sort, descending=descending, page=page, per_page=per_page)
    today, now = _when(today, now)
    thresholds = report_thresholds()
    # Every row in scope, but only what sorting needs; then the page's rows in full.
    base = _base_query(viewer, filters).order_by(None).subquery()
    columns = [base.c[field.name] for field in dataclasses.fields(_SortRow)]
    # Slotted rows save the sort's many attribute reads on SQLAlchemy rows (slower).
    light = [_SortRow(*row) for row in db.session.execute(select(*columns))]
    domains = _domains({row.framework_id for row in light}) if light else {}
    per_page = max(1, per_page)
    total = len(light)
    page = clamp_page(page, total, per_page)
    start = (page - 1) * per_page
    ids = [
        row.enrolment_id
        for row in sort_rows(light, sort, descending=descending)[start : start + per_page]
    ]
    full = {
        row.enrolment_id: row
        for row in db.session.execute(select(base).where(base.c.enrolment_id.in_(ids)))
    }
    chosen = _bases(full[enrolment_id] for enrolment_id in ids)
    return ReportPage(
        rows=_assemble(chosen, ids, domains, today=today, now=now, thresholds=thresholds),
        total=total,
        page=page,
        per_page=per_page,
        domain_columns=_columns(domains),
        flag_counts=None,
        thresholds=thresholds,
    )


def domain_columns_for(viewer: User, filters: ReportFilters | None = None) -> list[DomainColumn]:
    """The domain columns an export of this scope needs, before any row is read (1 query)."""
    ids = enrolment_ids(scope_for(viewer), filters or ReportFilters())
    frameworks = select(Enrolment.framework_id).where(Enrolment.id.in_(ids)).distinct()
    return _columns(_domains(frameworks))


def iter_progress(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    today: date | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
) -> Iterator[TraineeProgress]:
    """Every matching row, by name, read in batches: memory stays flat for exports.

    Each batch costs the same fixed number of queries as `build_report`.
    """
    filters = filters or ReportFilters()
    today, now = _when(today, now)
    thresholds = report_thresholds()
    batch_size = batch_size or int(current_app.config.get("EXPORT_BATCH_SIZE", 1000))
    domains: dict[int, list[_DomainInfo]] = {}
    result = db.session.execute(
        _base_query(viewer, filters).execution_options(yield_per=batch_size)
    )
    for rows in result.partitions():
        batch = _bases(rows)
        unseen = {row.framework_id for row in batch} - domains.keys()
        if unseen:
            found = _domains(unseen)
            domains.update({framework_id: found.get(framework_id, []) for framework_id in unseen})
        ids = [row.enrolment_id for row in batch]
        for row in _assemble(batch, ids, domains, today=today, now=now, thresholds=thresholds):
            if not filters.flag or filters.flag in row.flags:
                yield row


@dataclass(frozen=True, slots=True)
class TraineeIdentity:
    """Who a report row is about, without the facts: what the long export repeats."""

    enrolment_id: int
    trainee_id: int
    name: str
    gphc_number: str | None
    organisation: str | None
    cohort: str | None
    framework_id: int


def iter_identity_batches(
    viewer: User, filters: ReportFilters, *, batch_size: int
) -> Iterator[list[TraineeIdentity]]:
    """The report's trainees, by name, in batches, with no aggregate work (2 queries a
    batch). Only without a flag filter: flags need every fact (use `iter_progress`)."""
    if filters.flag:
        raise ValueError("a flag filter needs the full rows: use iter_progress")
    result = db.session.execute(
        _base_query(viewer, filters).execution_options(yield_per=batch_size)
    )
    for batch in result.partitions():
        numbers = dict(
            db.session.execute(
                select(Registration.user_id, Registration.number).where(
                    Registration.id.in_(
                        select(func.max(Registration.id))
                        .where(Registration.user_id.in_([row.trainee_id for row in batch]))
                        .group_by(Registration.user_id)
                    )
                )
            ).all()
        )
        yield [
            TraineeIdentity(
                row.enrolment_id,
                row.trainee_id,
                row.name,
                numbers.get(row.trainee_id),
                row.organisation,
                row.cohort,
                row.framework_id,
            )
            for row in batch
        ]
