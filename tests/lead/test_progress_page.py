"""One page of the progress report (the dashboard's table, the API's trainee list), chosen in
SQL from the progress summaries: the same rows, order and flag counts as the full report."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset, supervisor_email
from app.extensions import db
from app.models import User
from app.services.reporting import progress_report
from app.services.reporting.flags import Flag
from app.services.reporting.progress_paging import SORT_KEYS
from app.services.reporting.scope import ReportFilters

TODAY = date(2026, 3, 16)


def _lead() -> User:
    return db.session.scalar(select(User).where(User.email == REGION_LEAD_EMAIL))


@pytest.fixture
def region_lead(framework) -> User:
    generate_dataset(30, 3, seed=11, today=TODAY)
    db.session.commit()
    return _lead()


# The report's own order, worked out in Python from every row built in full: what the
# summaries' SQL paging must reproduce. Ties go by name, then enrolment; no value goes last.
REFERENCE_KEYS = {
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


def _reference_order(rows, sort: str, descending: bool) -> list:
    key = REFERENCE_KEYS[sort]
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.enrolment_id))
    present = sorted((r for r in by_name if key(r) is not None), key=key, reverse=descending)
    return present + [r for r in by_name if key(r) is None]


def test_every_sort_key_is_a_dashboard_sort():
    assert set(REFERENCE_KEYS) == set(SORT_KEYS)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", sorted(REFERENCE_KEYS))
def test_each_page_is_the_full_reports_rows_in_order(region_lead, sort, descending):
    report = progress_report.build_report(region_lead, today=TODAY)
    ordered = _reference_order(report.rows, sort, descending)
    for page in (1, 3, 5):
        found = progress_report.progress_report(
            region_lead, sort=sort, descending=descending, page=page, per_page=7,
            today=TODAY,
        )  # fmt: skip
        assert found.rows == ordered[(page - 1) * 7 : page * 7]
        assert (found.total, found.page, found.pages) == (30, page, 5)
        assert found.flag_counts == report.flag_counts


@pytest.mark.parametrize("flag", list(Flag))
def test_a_flag_filter_keeps_the_rows_the_report_flags(region_lead, flag):
    report = progress_report.build_report(region_lead, ReportFilters(flag=flag.value), today=TODAY)
    found = progress_report.progress_report(
        region_lead, ReportFilters(flag=flag.value), per_page=50, today=TODAY
    )
    assert found.total == len(report.rows) == report.flag_counts[flag]
    assert found.rows == report.rows
    assert found.flag_counts == report.flag_counts


@pytest.mark.parametrize("flag", [None, *Flag])
def test_a_page_without_the_flag_counts_has_the_same_rows_and_total(
    region_lead, flag, count_queries
):
    filters = ReportFilters(flag=flag.value if flag else None)
    counted = progress_report.progress_report(region_lead, filters, per_page=7, today=TODAY)
    with count_queries() as listed:
        uncounted = progress_report.progress_report(
            region_lead, filters, per_page=7, today=TODAY, count_flags=False
        )
    assert uncounted.flag_counts is None
    assert counted.flag_counts is not None
    assert (uncounted.rows, uncounted.total) == (counted.rows, counted.total)
    assert uncounted.total == (counted.flag_counts[flag] if flag else 30)
    # The counting statement adds up the chosen flag alone, or none (the tallies, asked
    # first, are not today's: the dataset's day is not).
    counting = next(
        s for s in listed.statements if "count(*)" in s.lower() and "flag_tallies" not in s
    )
    assert counting.lower().count("sum(") == (1 if flag else 0)


def test_a_page_past_the_end_is_the_last_page(region_lead):
    found = progress_report.progress_report(region_lead, page=99, per_page=7, today=TODAY)
    assert found.page == 5
    assert len(found.rows) == 2


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
    # A supervisor of 8 (plus a few as education supervisor) against the whole region:
    # the same queries, but for the lead's look at the flag tallies first (not the
    # dataset's day's, so the summaries are counted as the supervisor's are).
    assert totals[0] < 15 < totals[1] == 30
    assert counts[1] == counts[0] + 1
