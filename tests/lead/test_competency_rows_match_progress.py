"""The long export's statuses, added up in SQL, are the sufficiency engine's, item by item."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset
from app.extensions import db
from app.models import Enrolment, User
from app.services.portfolio import sufficiency
from app.services.reporting import competency_report, progress_report
from app.services.reporting.flags import Flag
from app.services.reporting.scope import ReportFilters
from app.services.supervision import signoffs

TODAY = date(2026, 3, 16)


def test_every_trainee_and_competency_has_the_status_its_portfolio_shows(framework):
    generate_dataset(12, 60, seed=9, today=TODAY)
    db.session.commit()
    lead = db.session.scalar(select(User).where(User.email == REGION_LEAD_EMAIL))
    rows = list(competency_report.iter_competency_rows(lead, today=TODAY, batch_size=5))
    assert len(rows) == 12 * 20
    expected = {}
    for enrolment in db.session.scalars(select(Enrolment)):
        signed = signoffs.signed_off_competency_ids(enrolment.id)
        for item in sufficiency.progress_for(enrolment, signed, count_drafts=False):
            expected[(enrolment.id, item.code)] = item.status
    found = {(row.enrolment_id, row.competency_code): row.status for row in rows}
    assert found == expected
    # The dataset has every status, so each branch of the counting is exercised.
    assert set(found.values()) == {"not_started", "in_progress", "ready", "signed_off"}
    # Who each row is about is what the progress report says, without its aggregates.
    people = {
        row.enrolment_id: (row.name, row.gphc_number, row.organisation, row.cohort)
        for row in progress_report.build_report(lead, today=TODAY).rows
    }
    assert {
        row.enrolment_id: (row.trainee, row.gphc_number, row.organisation, row.cohort)
        for row in rows
    } == people
    assert any(number for _, number, _, _ in people.values())


def test_a_flag_filter_keeps_the_flagged_trainees_rows_only(framework):
    generate_dataset(12, 10, seed=4, today=TODAY)
    db.session.commit()
    lead = db.session.scalar(select(User).where(User.email == REGION_LEAD_EMAIL))
    filters = ReportFilters(flag=Flag.BEHIND.value)
    flagged = {row.enrolment_id for row in progress_report.build_report(lead, filters).rows}
    rows = list(competency_report.iter_competency_rows(lead, filters, batch_size=5))
    assert flagged
    assert {row.enrolment_id for row in rows} == flagged
    assert len(rows) == 20 * len(flagged)
