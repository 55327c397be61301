"""One page of the progress report (the API's trainee list) without building every row."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset, supervisor_email
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services.reporting import progress_report
from app.services.reporting.flags import Flag
from app.services.reporting.scope import ReportFilters

TODAY = date(2026, 3, 16)


def _lead() -> User:
    return db.session.scalar(select(User).where(User.email == REGION_LEAD_EMAIL))


@pytest.fixture
def region_lead(framework) -> User:
    generate_dataset(30, 3, seed=11, today=TODAY)
    db.session.commit()
    return _lead()


@pytest.mark.parametrize(
    ("sort", "descending", "page"),
    [("name", False, 1), ("name", False, 3), ("organisation", True, 2), ("started_on", False, 5)],
)
def test_a_page_is_the_same_as_the_full_reports_page(region_lead, sort, descending, page):
    now = utcnow()
    full = progress_report.page_of(
        progress_report.build_report(region_lead, today=TODAY, now=now),
        sort=sort,
        descending=descending,
        page=page,
        per_page=7,
    )
    quick = progress_report.progress_report(
        region_lead, sort=sort, descending=descending, page=page, per_page=7, today=TODAY, now=now
    )
    assert quick.rows == full.rows
    assert (
        (quick.total, quick.page, quick.pages)
        == (full.total, full.page, full.pages)
        == (
            30,
            page,
            5,
        )
    )
    assert quick.domain_columns == full.domain_columns
    assert quick.flag_counts is None


def test_a_page_past_the_end_is_the_last_page(region_lead):
    found = progress_report.progress_report(region_lead, page=99, per_page=7, today=TODAY)
    assert found.page == 5
    assert len(found.rows) == 2


def test_a_flag_filter_or_a_computed_sort_builds_every_row(region_lead):
    now = utcnow()
    flagged = progress_report.progress_report(
        region_lead, ReportFilters(flag=Flag.STALLED.value), today=TODAY, now=now
    )
    report = progress_report.build_report(
        region_lead, ReportFilters(flag=Flag.STALLED.value), today=TODAY, now=now
    )
    assert flagged.total == len(report.rows)
    assert flagged.flag_counts == report.flag_counts
    by_progress = progress_report.progress_report(
        region_lead, sort="progress", descending=True, today=TODAY, now=now
    )
    percents = [row.percent for row in by_progress.rows]
    assert percents == sorted(percents, reverse=True)
    assert by_progress.flag_counts is not None


def test_a_page_costs_the_same_queries_however_many_trainees_are_in_scope(
    region_lead, count_queries
):
    supervisor = db.session.scalar(select(User).where(User.email == supervisor_email(1)))
    counts, totals = [], []
    for viewer in (supervisor, region_lead):
        with count_queries() as queries:
            found = progress_report.progress_report(viewer, per_page=5, today=TODAY)
        counts.append(queries.count)
        totals.append(found.total)
    # A supervisor of 8 (plus a few as education supervisor) against the whole region.
    assert totals[0] < 15 < totals[1] == 30
    assert counts[0] == counts[1]
