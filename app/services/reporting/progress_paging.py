"""Sorting, filtering by flag, counting and paging the progress report in SQL, over the
progress summaries (`ProgressSummary`): a page costs the same whatever the number of
trainees in scope, and only the page's rows are then read in full.

The flags are asked of the summaries' inputs (`summary_flags`); their counts come from
the organisations' tallies when those are today's (`flag_tallies.tallied`).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.organisations import Cohort, Organisation
from app.models.progress import ProgressSummary
from app.models.users import User
from app.services.paging import clamp_page
from app.services.reporting import flag_tallies
from app.services.reporting.flags import (
    Flag,
    ReportThresholds,
)
from app.services.reporting.progress_base import BaseRow, base_query, base_rows
from app.services.reporting.scope import SUMMARY_PLACING, ReportFilters, restrict, scope_for
from app.services.reporting.summary_flags import flag_conditions

SORT_KEYS = (
    "name",
    "organisation",
    "cohort",
    "supervisor",
    "progress",
    "awaiting",
    "last_activity",
    "registration_expiry",
    "started_on",
    "expected_end",
    "flags",
)


def chosen_flag(filters: ReportFilters) -> Flag | None:
    return Flag(filters.flag) if filters.flag in set(Flag) else None


def summarised(viewer: User, filters: ReportFilters, *columns) -> Select:
    """`columns` from the summaries of the enrolments in scope, judged on the summaries'
    placing alone (the flag filter is the caller's: `flag_conditions`)."""
    query = select(*columns).select_from(ProgressSummary)
    return restrict(query, SUMMARY_PLACING, scope_for(viewer), filters)


@dataclass(frozen=True)
class SummaryPage:
    """One page's enrolment ids, in order, and what the whole scope adds up to."""

    ids: list[int]
    total: int  # rows matching the filters, the flag's included
    page: int
    per_page: int
    # Over the rows before the flag filter; None when they were not asked for.
    flag_counts: dict[Flag, int] | None


def summary_page(
    viewer: User,
    filters: ReportFilters,
    *,
    sort: str,
    descending: bool,
    page: int,
    per_page: int,
    today: date,
    thresholds: ReportThresholds,
    count_flags: bool = True,
) -> SummaryPage:
    """Count the rows in scope (and, with `count_flags`, each flag's), then choose one
    sorted page (2 queries; 3 when the scope's flag tallies are not today's and the
    summaries are counted instead)."""
    conditions = flag_conditions(thresholds, today)
    flag = chosen_flag(filters)
    # Without the flags' counts, the total still needs the chosen flag's.
    wanted = conditions if count_flags else {flag: conditions[flag]} if flag else {}
    tallies = flag_tallies.tallied(scope_for(viewer), filters, today, thresholds)
    everyone, found = tallies or _counted(viewer, filters, wanted)
    total = found[flag] if flag else everyone
    per_page = max(1, per_page)
    page = clamp_page(page, total, per_page)
    trainee, clinical = aliased(User), aliased(User)
    query = (
        summarised(viewer, filters, ProgressSummary.enrolment_id)
        .join(Enrolment, Enrolment.id == ProgressSummary.enrolment_id)
        .join(trainee, trainee.id == Enrolment.trainee_id)
        .outerjoin(Organisation, Organisation.id == ProgressSummary.organisation_id)
        .outerjoin(Cohort, Cohort.id == ProgressSummary.cohort_id)
        .outerjoin(clinical, clinical.id == ProgressSummary.clinical_supervisor_id)
    )
    if flag:
        query = query.where(conditions[flag])
    keys = {
        "name": func.lower(trainee.name),
        "organisation": func.lower(Organisation.name),
        "cohort": func.lower(Cohort.name),
        "supervisor": func.lower(clinical.name),
        "progress": ProgressSummary.percent,
        "awaiting": ProgressSummary.awaiting_review,
        "last_activity": ProgressSummary.last_activity_on,
        "registration_expiry": ProgressSummary.registration_expires_on,
        "started_on": ProgressSummary.started_on,
        "expected_end": ProgressSummary.expected_end_on,
        "flags": reduce(operator.add, (case((c, 1), else_=0) for c in conditions.values())),
    }
    key = keys.get(sort, keys["name"])
    ordered = key.desc() if descending else key.asc()
    ids = db.session.scalars(
        query.order_by(ordered.nulls_last(), func.lower(trainee.name), ProgressSummary.enrolment_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return SummaryPage(list(ids), total, page, per_page, found if count_flags else None)


def _counted(
    viewer: User, filters: ReportFilters, conditions: dict[Flag, ColumnElement[bool]]
) -> tuple[int, dict[Flag, int]]:
    """How many summaries are in scope, and how many of them meet each of `conditions`."""
    counted = db.session.execute(
        summarised(
            viewer,
            filters,
            func.count(),
            *(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in conditions.values()),
        )
    ).one()
    return counted[0], dict(zip(conditions, counted[1:], strict=True))


def page_bases(viewer: User, filters: ReportFilters, ids: list[int]) -> list[BaseRow]:
    """The base rows of a page's enrolments, in the page's order (1 query)."""
    base = base_query(viewer, filters).order_by(None).subquery()
    found = {
        row.enrolment_id: row
        for row in db.session.execute(select(base).where(base.c.enrolment_id.in_(ids)))
    }
    return base_rows(found[enrolment_id] for enrolment_id in ids if enrolment_id in found)
