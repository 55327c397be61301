"""Supervision sessions: recording them, and flagging the months that had none."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.notifications import Notification
from app.models.supervision import SupervisionSession
from app.services.errors import DomainError
from app.services.supervision import sessions as supervision_sessions
from tests.supervision.conftest import count

TODAY = date(2025, 6, 10)


def record(enrolment, **kw):
    values = {
        "supervisor": enrolment.clinical_supervisor,
        "held_on": date(2025, 3, 4),
        "duration_minutes": 45,
        "topics": "Inhaler technique reviews; discharge letters",
        "agreed_actions": "Shadow the pharmacist at two discharge reconciliations",
        "today": TODAY,
    }
    values.update(kw)
    session = supervision_sessions.record_session(enrolment, **values)
    db.session.commit()
    return session


def test_a_session_is_recorded_audited_and_shown_to_the_trainee(enrolment, trainee):
    before = count(AuditEvent)
    session = record(enrolment)
    assert (session.held_on, session.duration_minutes) == (date(2025, 3, 4), 45)
    assert count(AuditEvent) == before + 1
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "supervision_session.recorded"
    assert set(event.data) == {"enrolment_id", "content_sha256"}
    note = db.session.scalar(select(Notification).where(Notification.user_id == trainee.id))
    assert note.kind == "session_recorded"
    assert supervision_sessions.sessions_for(enrolment.id) == [session]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"held_on": None}, "held_on", "Enter the date"),
        ({"held_on": date(2025, 6, 11)}, "held_on", "today or in the past"),
        ({"held_on": date(2025, 1, 5)}, "held_on", "on or after the training started"),
        ({"duration_minutes": 0}, "duration_minutes", "from 1 to 480"),
        ({"duration_minutes": 600}, "duration_minutes", "from 1 to 480"),
        ({"topics": "  "}, "topics", "topics you discussed"),
    ],
)
def test_bad_session_details_are_refused_on_their_field(enrolment, changes, field, message):
    with pytest.raises(DomainError, match=message) as error:
        record(enrolment, **changes)
    assert error.value.field == field
    db.session.rollback()
    assert count(SupervisionSession) == 0


def test_only_the_trainees_supervisors_record_sessions(enrolment, make_user, org):
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    with pytest.raises(DomainError, match="Only the trainee's supervisors"):
        record(enrolment, supervisor=stranger)


@pytest.mark.parametrize(
    ("started", "held", "today", "missed"),
    [
        (date(2025, 1, 6), [], date(2025, 1, 31), []),
        (date(2025, 1, 6), [], date(2025, 4, 1), ["2025-01", "2025-02", "2025-03"]),
        (date(2025, 1, 6), [date(2025, 2, 28)], date(2025, 4, 15), ["2025-01", "2025-03"]),
        (date(2024, 11, 20), [date(2024, 11, 30)], date(2025, 2, 1), ["2024-12", "2025-01"]),
        (date(2025, 1, 6), [date(2025, 1, 6), date(2025, 2, 1)], date(2025, 3, 31), []),
    ],
    ids=["first-month-not-over", "none-held", "one-gap", "across-new-year", "every-month"],
)
def test_ended_months_without_a_session_are_flagged(started, held, today, missed):
    months = supervision_sessions.months_without_session(started, held, today)
    assert [f"{m:%Y-%m}" for m in months] == missed


def test_the_lead_overview_covers_trainees_in_the_organisation_subtree(
    enrolment, make_user, make_org, org
):
    record(enrolment, held_on=date(2025, 2, 10))
    lead = make_user(roles=("lead",), org=org.parent)
    elsewhere = make_user(roles=("lead",), org=make_org("Elsewhere", "training-hub"))

    overview = supervision_sessions.overview_for_lead(lead, TODAY)

    assert [(o.trainee_name, o.session_count, o.last_held_on) for o in overview] == [
        ("Sam Okafor", 1, date(2025, 2, 10))
    ]
    assert [f"{m:%b}" for m in overview[0].missed_months] == ["Jan", "Mar", "Apr", "May"]
    assert supervision_sessions.overview_for_lead(elsewhere, TODAY) == []
