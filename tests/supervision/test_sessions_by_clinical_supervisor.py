"""Only sessions held by the clinical supervisor count towards the pathway's session a
month; a session with anyone else (the education supervisor) is logged and shown apart."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.services.reporting.progress_report import build_report
from app.services.reporting.trainee_summary import trainee_summary
from app.services.supervision import sessions as supervision_sessions
from tests.supervision.conftest import soup, table_rows, text_of

TODAY = date(2025, 6, 10)


@pytest.fixture
def educator(make_user, org, enrolment):
    person = make_user(roles=("supervisor",), org=org, gphc="2000003", name="Eli Educator")
    enrolment.education_supervisor = person
    db.session.commit()
    return person


@pytest.fixture
def lead(make_user, org):
    return make_user(roles=("lead",), org=org.parent, name="Lena Lead")


def record(enrolment, supervisor, held_on: date, topics: str = "Discharge letters"):
    session = supervision_sessions.record_session(
        enrolment,
        supervisor=supervisor,
        held_on=held_on,
        duration_minutes=30,
        topics=topics,
        today=TODAY,
    )
    db.session.commit()
    return session


def months(days: list[date]) -> list[str]:
    return [f"{d:%Y-%m}" for d in days]


def test_a_session_records_whether_the_clinical_supervisor_held_it(enrolment, educator):
    clinical = record(enrolment, enrolment.clinical_supervisor, date(2025, 3, 4))
    other = record(enrolment, educator, date(2025, 3, 5))
    assert (clinical.by_clinical_supervisor, other.by_clinical_supervisor) == (True, False)


def test_a_session_with_the_education_supervisor_leaves_its_month_missed(enrolment, educator):
    record(enrolment, educator, date(2025, 2, 12), "Learning set")
    record(enrolment, enrolment.clinical_supervisor, date(2025, 3, 4))
    log = supervision_sessions.session_log(enrolment.id)
    assert [s.topics for s in log.counted] == ["Discharge letters"]
    assert [s.topics for s in log.other] == ["Learning set"]
    missed = supervision_sessions.missed_months(enrolment, log, TODAY)
    assert months(missed) == ["2025-01", "2025-02", "2025-04", "2025-05"]


def test_the_lead_overview_counts_the_clinical_supervisors_sessions_and_others_apart(
    enrolment, educator, lead
):
    record(enrolment, educator, date(2025, 2, 12))
    record(enrolment, enrolment.clinical_supervisor, date(2025, 3, 4))
    (overview,) = supervision_sessions.overview_for_lead(lead, TODAY)
    assert (overview.session_count, overview.last_held_on, overview.other_count) == (
        1,
        date(2025, 3, 4),
        1,
    )
    assert "2025-02" in months(overview.missed_months)


def test_reports_count_only_the_clinical_supervisors_sessions(enrolment, educator, lead):
    record(enrolment, educator, date(2025, 6, 2))
    (row,) = build_report(lead, today=TODAY).rows
    assert (row.supervision_sessions, row.last_supervision_on) == (0, None)
    summary = trainee_summary(enrolment, TODAY)
    assert (summary.supervision_sessions, summary.other_sessions) == (0, 1)
    record(enrolment, enrolment.clinical_supervisor, date(2025, 6, 3))
    (row,) = build_report(lead, today=TODAY).rows
    assert (row.supervision_sessions, row.last_supervision_on) == (1, date(2025, 6, 3))


def test_the_record_page_lists_sessions_with_others_apart(app, login, trainee, enrolment, educator):
    record(enrolment, educator, date(2025, 2, 12), "Learning set")
    record(enrolment, enrolment.clinical_supervisor, date(2025, 3, 4))
    client = app.test_client()
    login(client, trainee)
    page = soup(client.get(f"/supervision/enrolments/{enrolment.id}"))
    assert [r[2] for r in table_rows(page, "#session-list")] == ["Discharge letters"]
    assert table_rows(page, "#other-session-list") == [
        ["12 February 2025", "30 minutes", "Learning set", "None recorded", "Eli Educator"]
    ]
    assert "do not count" in text_of(page, "#other-sessions + p")
    assert "February 2025" in text_of(page, "#missed-months")
