"""The cohort charts add up the same sign-offs as the report rows, flag-filtered or not."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services.reporting import cohort_dashboard, progress_report
from app.services.reporting.flags import Flag
from app.services.reporting.scope import ReportFilters

TODAY = date(2026, 3, 16)


@pytest.fixture
def region_lead(framework) -> User:
    # One cohort of 40 trainees with 2 items each keeps the test quick.
    generate_dataset(40, 2, seed=5, today=TODAY)
    db.session.commit()
    return db.session.scalar(select(User).where(User.email == REGION_LEAD_EMAIL))


@pytest.mark.parametrize("flag", [None, Flag.BEHIND.value, Flag.NO_SUPERVISION.value])
def test_each_charts_last_point_is_its_rows_sign_offs_and_expected_line(region_lead, flag):
    filters = ReportFilters(flag=flag)
    today = utcnow().date()
    report = progress_report.build_report(region_lead, filters, today=today)
    assert report.rows
    charts = cohort_dashboard.cohort_charts(
        region_lead,
        filters,
        {row.cohort_id or 0 for row in report.rows},
        today=today,
        thresholds=report.thresholds,
    )
    rows_by_cohort = defaultdict(list)
    for row in report.rows:
        rows_by_cohort[row.cohort or cohort_dashboard.NO_COHORT].append(row)
    assert {chart.title for chart in charts} == set(rows_by_cohort)
    for chart in charts:
        rows = rows_by_cohort[chart.title]
        assert chart.trainees == len(rows)
        assert chart.points[-1].signed_off == sum(row.signed_off for row in rows)
        expected = sum(
            cohort_dashboard._expected(r.started_on, r.expected_end_on, r.total, r.pauses, today)
            for r in rows
        )
        assert chart.points[-1].expected == pytest.approx(expected)
