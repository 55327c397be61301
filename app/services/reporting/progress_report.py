"""The progress report: one row per active trainee in a viewer's scope, with progress by
domain, review backlog, activity, registration, Level 3, supervision, programme status
and flags. The cohort dashboard, the exports and the JSON API all read it from here.

However many trainees it covers, it costs the same number of SQL queries: one for the
enrolments and one aggregate (GROUP BY over every enrolment in scope) per kind of fact,
never one query per trainee. Exports use `iter_progress`, which does the same in batches
of `EXPORT_BATCH_SIZE` trainees so memory stays flat.

This module reads the report in its shapes (whole, a page, a stream, identities); the rows
are in `progress_rows`, the base query in `progress_base`, the aggregates in
`progress_facts`, a row's assembly in `progress_assembly`, and the dashboard's paging over
the progress summaries in `progress_paging`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app.database import id_list
from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.registration import Registration
from app.models.users import User
from app.services.clock import uk_today
from app.services.reporting.flags import Flag, report_thresholds
from app.services.reporting.progress_assembly import assemble
from app.services.reporting.progress_base import base_query, base_rows
from app.services.reporting.progress_facts import (
    DomainInfo,
    batched_reads,
    domain_columns,
    framework_domains,
)
from app.services.reporting.progress_paging import page_bases, summary_page
from app.services.reporting.progress_rows import (
    DomainColumn,
    Report,
    ReportPage,
    TraineeIdentity,
    TraineeProgress,
)
from app.services.reporting.scope import ReportFilters, enrolment_ids, scope_for

# What callers import from here; the row types live in `progress_rows`.
__all__ = [
    "DomainColumn",
    "Report",
    "ReportPage",
    "TraineeIdentity",
    "TraineeProgress",
    "build_report",
    "domain_columns_for",
    "iter_identity_batches",
    "iter_progress",
    "progress_report",
]


def _today(today: date | None) -> date:
    return today or uk_today()


def build_report(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    today: date | None = None,
) -> Report:
    """Every matching row, by name, in a fixed number of queries (11 for a non-empty scope)."""
    filters = filters or ReportFilters()
    today = _today(today)
    thresholds = report_thresholds()
    bases = base_rows(db.session.execute(base_query(viewer, filters)))
    framework_ids = {row.framework_id for row in bases}
    domains = framework_domains(framework_ids) if bases else {}
    ids = enrolment_ids(scope_for(viewer), filters)
    rows = assemble(bases, ids, domains, today=today, thresholds=thresholds)
    flag_counts = {flag: sum(1 for r in rows if flag in r.flags) for flag in Flag}
    if filters.flag:
        rows = [r for r in rows if filters.flag in r.flags]
    return Report(domain_columns(domains), rows, flag_counts, thresholds, today)


def progress_report(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
    today: date | None = None,
    count_flags: bool = True,
) -> ReportPage:
    """One page of the report, with the flags counted over everyone in scope (unless
    `count_flags` is false: the JSON API lists the rows without the counts): what the
    dashboard shows and the API lists. The progress summaries are counted, sorted and
    paged in SQL, then the page's rows are read in full: the same fixed number of
    queries, over one page, however many trainees the scope holds."""
    filters = filters or ReportFilters()
    today = _today(today)
    thresholds = report_thresholds()
    chosen = summary_page(
        viewer,
        filters,
        sort=sort,
        descending=descending,
        page=page,
        per_page=per_page,
        today=today,
        thresholds=thresholds,
        count_flags=count_flags,
    )
    bases = page_bases(viewer, filters, chosen.ids)
    framework_ids = {row.framework_id for row in bases}
    domains = framework_domains(framework_ids) if framework_ids else {}
    rows = assemble(bases, chosen.ids, domains, today=today, thresholds=thresholds, summarised=True)
    return ReportPage(
        rows=rows,
        total=chosen.total,
        page=chosen.page,
        per_page=chosen.per_page,
        domain_columns=domain_columns(domains),
        flag_counts=chosen.flag_counts,
        thresholds=thresholds,
    )


def domain_columns_for(viewer: User, filters: ReportFilters | None = None) -> list[DomainColumn]:
    """The domain columns an export of this scope needs, before any row is read (1 query)."""
    ids = enrolment_ids(scope_for(viewer), filters or ReportFilters())
    frameworks = select(Enrolment.framework_id).where(Enrolment.id.in_(ids)).distinct()
    return domain_columns(framework_domains(frameworks))


def iter_progress(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    today: date | None = None,
    batch_size: int | None = None,
) -> Iterator[TraineeProgress]:
    """Every matching row, by name, read in batches: memory stays flat for exports.

    Each batch costs a fixed number of queries, its enrolment ids bound as one
    parameter, and reads what the progress summaries keep from there.
    """
    filters = filters or ReportFilters()
    today = _today(today)
    thresholds = report_thresholds()
    batch_size = batch_size or int(current_app.config.get("EXPORT_BATCH_SIZE", 1000))
    domains: dict[int, list[DomainInfo]] = {}
    batched_reads()
    result = db.session.execute(base_query(viewer, filters).execution_options(yield_per=batch_size))
    for rows in result.partitions():
        batch = base_rows(rows)
        unseen = {row.framework_id for row in batch} - domains.keys()
        if unseen:
            found = framework_domains(unseen)
            domains.update({framework_id: found.get(framework_id, []) for framework_id in unseen})
        ids = id_list([row.enrolment_id for row in batch])
        rows = assemble(batch, ids, domains, today=today, thresholds=thresholds, summarised=True)
        for row in rows:
            if not filters.flag or filters.flag in row.flags:
                yield row


def iter_identity_batches(
    viewer: User, filters: ReportFilters, *, batch_size: int
) -> Iterator[list[TraineeIdentity]]:
    """The report's trainees, by name, in batches, with no aggregate work (2 queries a
    batch). Only without a flag filter: flags need every fact (use `iter_progress`)."""
    if filters.flag:
        raise ValueError("a flag filter needs the full rows: use iter_progress")
    batched_reads()
    result = db.session.execute(base_query(viewer, filters).execution_options(yield_per=batch_size))
    for batch in result.partitions():
        numbers = dict(
            db.session.execute(
                select(Registration.user_id, Registration.number).where(
                    Registration.id.in_(
                        select(func.max(Registration.id))
                        .where(Registration.user_id.in_(id_list([r.trainee_id for r in batch])))
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
