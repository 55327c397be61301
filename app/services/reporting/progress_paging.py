"""Sorting and paging the progress report: the sort keys, a page of a built report (the
dashboard's), and the API's quicker page, chosen from the base rows when it is sorted by a
column of the enrolment itself, before any fact is read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select

from app.extensions import db
from app.models.users import User
from app.services.paging import clamp_page
from app.services.reporting.progress_base import BaseRow, base_query, base_rows
from app.services.reporting.progress_rows import Report, ReportPage
from app.services.reporting.scope import ReportFilters

_R = TypeVar("_R")

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


@dataclass(frozen=True)
class BasePage:
    """One page of the base rows, chosen by a key of BASE_SORT_KEYS from everyone in scope."""

    bases: list[BaseRow]  # the page's rows, in order
    ids: list[int]  # their enrolment ids, in the same order
    framework_ids: set[int]  # the frameworks of everyone in scope
    total: int
    page: int
    per_page: int


def base_page(
    viewer: User,
    filters: ReportFilters,
    *,
    sort: str,
    descending: bool,
    page: int,
    per_page: int,
) -> BasePage:
    """Every row in scope, but only what sorting needs; then the page's rows in full."""
    base = base_query(viewer, filters).order_by(None).subquery()
    columns = [base.c[field.name] for field in dataclasses.fields(_SortRow)]
    # Slotted rows save the sort's many attribute reads on SQLAlchemy rows (slower).
    light = [_SortRow(*row) for row in db.session.execute(select(*columns))]
    framework_ids = {row.framework_id for row in light}
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
    chosen = base_rows(full[enrolment_id] for enrolment_id in ids)
    return BasePage(chosen, ids, framework_ids, total, page, per_page)
