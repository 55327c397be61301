"""Pausing, resuming, withdrawing and transferring an enrolment through the service: the
rules, the history rows, the audit chain, paused days left out of expected progress, a
withdrawn portfolio kept read-only, and the review queue moving with a transfer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import EnrolmentPause, SupervisorAssignment
from app.services.errors import DomainError
from app.services.portfolio import evidence as evidence_service
from app.services.reporting.flags import (
    Flag,
    FlagFacts,
    ReportThresholds,
    expected_percent,
    flags_for,
)
from app.services.reporting.progress_report import build_report
from app.services.supervision import enrolment_lifecycle as lifecycle
from app.services.supervision import enrolments, reviews
from app.services.supervision.pauses import PauseSpan, adjusted_end, paused_days
from tests.evidence.conftest import TODAY, valid_answers
from tests.supervision.conftest import audit_actions

START = date(2025, 1, 6)


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",), name="Ada Admin")


def audit_data(action: str) -> dict:
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )
    assert event is not None, f"no {action} in the audit chain"
    return event.data


# --- The one rule -------------------------------------------------------------------------


def test_paused_days_count_half_open_days_and_never_twice():
    spans = [PauseSpan(date(2025, 3, 1), date(2025, 3, 11)), PauseSpan(date(2025, 3, 5), None)]
    assert paused_days([], date(2025, 6, 1)) == 0
    assert paused_days(spans[:1], date(2025, 6, 1)) == 10
    assert paused_days(spans[:1], date(2025, 3, 4)) == 3  # up to, not including, the day
    # The open pause overlaps the first: 1 March to 1 April is 31 days, not 41.
    assert paused_days(spans, date(2025, 4, 1)) == 31
    assert adjusted_end(date(2026, 7, 8), 31) == date(2026, 8, 8)


def test_a_pause_resumed_the_day_it_began_then_paused_again_counts_from_that_day():
    # Resumed on the day it began (nothing), then paused again that day and still open.
    day = date(2025, 3, 1)
    spans = [PauseSpan(day, None), PauseSpan(day, day)]
    assert paused_days(spans, date(2025, 3, 11)) == 10
    assert paused_days(list(reversed(spans)), date(2025, 3, 11)) == 10


def test_a_trainee_on_track_but_for_a_pause_is_not_behind_at_the_boundary():
    started, planned_end = date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=100)
    today = started + timedelta(days=50)
    thresholds = ReportThresholds(behind_margin_percent=10)

    def flags(expected: int) -> tuple[Flag, ...]:
        # 30% signed off: exactly on the line for 30 days of training.
        return flags_for(
            FlagFacts(started, today, None, 30, expected, 10, "current", 1), thresholds, today
        )

    # Counting all 50 days, 50% is expected and 30% is behind.
    assert expected_percent(started, planned_end, today) == 50
    assert Flag.BEHIND in flags(50)
    # 20 of those days were paused: 30 days of training, 30% expected, on track.
    spans = [PauseSpan(started + timedelta(days=10), started + timedelta(days=30))]
    assert paused_days(spans, today) == 20
    assert expected_percent(started, planned_end, today, paused_days(spans, today)) == 30
    assert Flag.BEHIND not in flags(30)
    # At the margin: 10 paused days leave 40% expected, 30% is not more than 10 under;
    # one paused day fewer and it is.
    assert expected_percent(started, planned_end, today, 10) == 40
    assert Flag.BEHIND not in flags(40)
    assert expected_percent(started, planned_end, today, 9) == 41
    assert Flag.BEHIND in flags(41)


# --- Pause and resume ----------------------------------------------------------------------


def test_pause_and_resume_keep_history_rows_and_audit_each_change(enrolment, admin):
    pause = lifecycle.pause(
        enrolment,
        reason="Parental leave",
        paused_from=date(2025, 3, 1),
        expected_return_on=date(2025, 9, 1),
        actor=admin,
        today=date(2025, 3, 3),
    )
    db.session.commit()
    assert enrolment.status == "paused"
    assert enrolments.active_enrolment(enrolment.trainee_id) is None
    assert enrolments.current_enrolment(enrolment.trainee_id) == enrolment
    assert audit_data("enrolment.paused") == {
        "pause_id": pause.id,
        "paused_from": "2025-03-01",
        "expected_return_on": "2025-09-01",
        "reason": "Parental leave",
    }

    lifecycle.resume(enrolment, resumed_on=date(2025, 8, 18), actor=admin, today=date(2025, 8, 20))
    db.session.commit()
    assert enrolment.status == "active"
    row = db.session.scalar(select(EnrolmentPause))
    assert (row.paused_from, row.ended_on, row.paused_by_id, row.ended_by_id) == (
        date(2025, 3, 1),
        date(2025, 8, 18),
        admin.id,
        admin.id,
    )
    assert audit_data("enrolment.resumed")["days_paused"] == 170
    summary = lifecycle.lifecycle_summary(enrolment, today=date(2025, 9, 1))
    assert summary.days_paused == 170
    assert summary.adjusted_end_on == enrolment.expected_end_on + timedelta(days=170)
    assert [p.reason for p in summary.pauses] == ["Parental leave"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Enter the reason"),
        ({"paused_from": date(2025, 3, 10)}, "paused_from", "today or in the past"),
        ({"paused_from": date(2024, 12, 1)}, "paused_from", "before the training started"),
        ({"expected_return_on": date(2025, 3, 1)}, "expected_return_on", "after the date"),
    ],
)
def test_a_pause_needs_a_reason_and_sensible_dates(enrolment, admin, changes, field, message):
    values = {"reason": "Sick leave", "paused_from": date(2025, 3, 1), "expected_return_on": None}
    values.update(changes)
    with pytest.raises(DomainError) as refused:
        lifecycle.pause(enrolment, actor=admin, today=date(2025, 3, 3), **values)
    assert refused.value.field == field
    assert message in refused.value.message
    db.session.rollback()
    assert enrolment.status == "active"
    assert db.session.scalar(select(EnrolmentPause)) is None


def test_pausing_twice_or_resuming_an_active_enrolment_is_refused(enrolment, admin):
    with pytest.raises(DomainError, match="not paused"):
        lifecycle.resume(enrolment, resumed_on=None, actor=admin)
    lifecycle.pause(enrolment, reason="Leave", paused_from=None, actor=admin)
    with pytest.raises(DomainError, match="already paused"):
        lifecycle.pause(enrolment, reason="Leave", paused_from=None, actor=admin)
    with pytest.raises(DomainError, match="before the pause started"):
        lifecycle.resume(enrolment, resumed_on=date(2025, 1, 7), actor=admin)


def test_a_paused_trainee_cannot_be_enrolled_again(enrolment, admin, small_framework, supervisor):
    lifecycle.pause(enrolment, reason="Leave", paused_from=None, actor=admin)
    db.session.commit()
    with pytest.raises(DomainError, match="paused enrolment: resume or withdraw it first"):
        enrolments.enrol(enrolment.trainee, small_framework, supervisor=supervisor)


# --- Withdraw ------------------------------------------------------------------------------


def test_withdrawing_ends_an_open_pause_and_is_final(enrolment, admin, supervisor, make_user, org):
    lifecycle.pause(
        enrolment, reason="Leave", paused_from=date(2025, 3, 1), actor=admin, today=date(2025, 3, 1)
    )
    lifecycle.withdraw(enrolment, reason="Left the practice", actor=admin, today=date(2025, 4, 1))
    db.session.commit()
    assert (enrolment.status, enrolment.withdrawn_on, enrolment.withdrawal_reason) == (
        "withdrawn",
        date(2025, 4, 1),
        "Left the practice",
    )
    assert db.session.scalar(select(EnrolmentPause.ended_on)) == date(2025, 4, 1)
    assert audit_data("enrolment.withdrawn") == {
        "withdrawn_on": "2025-04-01",
        "previous_status": "paused",
        "reason": "Left the practice",
    }
    other = make_user(roles=("supervisor",), org=org, gphc="2000002", name="Omar Reid")
    for attempt in (
        lambda: lifecycle.pause(enrolment, reason="x", paused_from=None, actor=admin),
        lambda: lifecycle.resume(enrolment, resumed_on=None, actor=admin),
        lambda: lifecycle.withdraw(enrolment, reason="x", actor=admin),
        lambda: enrolments.assign_supervisor(enrolment, other, kind="clinical", actor=admin),
    ):
        with pytest.raises(DomainError, match="final"):
            attempt()
    assert audit_actions().count("enrolment.withdrawn") == 1


def test_a_withdrawal_needs_a_reason(enrolment, admin):
    with pytest.raises(DomainError, match="Enter the reason"):
        lifecycle.withdraw(enrolment, reason="", actor=admin)
    assert enrolment.status == "active"


def test_withdrawn_evidence_is_read_only_for_the_trainee_and_the_supervisor(
    enrolment, admin, submitted
):
    waiting = submitted(enrolment, "reflective-account", ["B1"])
    lifecycle.withdraw(enrolment, reason="Left", actor=admin)
    db.session.commit()
    trainee, supervisor = enrolment.trainee, enrolment.clinical_supervisor
    with pytest.raises(DomainError, match="read-only"):
        evidence_service.create_draft(
            enrolment,
            "reflective-account",
            valid_answers("reflective-account"),
            [("B1", "Shows B1")],
            actor=trainee,
            today=TODAY,
        )
    with pytest.raises(DomainError, match="read-only"):
        evidence_service.edit(
            waiting, valid_answers("reflective-account"), [("B1", "x")], actor=trainee, today=TODAY
        )
    with pytest.raises(DomainError, match="withdrawn"):
        reviews.record_review(
            waiting,
            reviewer=supervisor,
            decision="accepted",
            comment="",
            version_number=waiting.current_version_number,
        )
    db.session.rollback()
    assert waiting.status == "submitted"
    # Nothing waits in the supervisor's queue any more.
    assert reviews.review_queue(supervisor.id).total == 0


# --- Transfer ------------------------------------------------------------------------------


def test_a_transfer_moves_the_queue_and_keeps_the_history(
    enrolment, admin, submitted, make_user, org
):
    submitted(enrolment, "reflective-account", ["B1"])
    old = enrolment.clinical_supervisor
    new = make_user(roles=("supervisor",), org=org, gphc="2000003", name="Nadia Khan")
    assert reviews.review_queue(old.id).total == 1
    # Paused enrolments can be transferred too.
    lifecycle.pause(enrolment, reason="Leave", paused_from=None, actor=admin)
    enrolments.assign_supervisor(enrolment, new, kind="clinical", actor=admin)
    db.session.commit()
    assert reviews.review_queue(new.id).total == 1
    assert reviews.review_queue(old.id).total == 0
    history = enrolments.assignment_history(enrolment.id)
    assert [(h.supervisor_name, h.ended_at is None) for h in history] == [
        (old.name, False),
        ("Nadia Khan", True),
    ]
    assert audit_data("enrolment.supervisor_assigned") == {
        "kind": "clinical",
        "supervisor_id": new.id,
        "previous_id": old.id,
    }
    assert db.session.query(SupervisorAssignment).count() == 2


def test_a_new_clinical_supervisor_needs_a_pharmacist_number(enrolment, admin, make_user, org):
    no_number = make_user(roles=("supervisor",), org=org, name="Una Unregistered")
    with pytest.raises(DomainError, match="no pharmacist GPhC number"):
        enrolments.assign_supervisor(enrolment, no_number, kind="clinical", actor=admin)


# --- Completion outlook and reports --------------------------------------------------------


def test_completion_outlook_names_the_signer_and_what_remains(enrolment):
    outlook = lifecycle.completion_outlook(enrolment, date(2025, 6, 1))
    assert outlook.signer_name == "Priya Shah"
    assert any("B1" in problem and "not signed off" in problem for problem in outlook.remaining)


def test_the_report_shows_a_paused_trainee_with_paused_days_and_no_stalled_flag(
    enrolment, admin, make_user, org
):
    lead = make_user(roles=("lead",), org=org.parent, name="Lena Lead")
    lifecycle.pause(
        enrolment, reason="Leave", paused_from=date(2025, 3, 1), actor=admin, today=date(2025, 3, 1)
    )
    db.session.commit()
    report = build_report(lead, today=date(2025, 5, 1))
    (row,) = report.rows
    assert (row.status, row.status_label, row.paused_days) == ("paused", "Paused", 61)
    assert row.adjusted_end_on == enrolment.expected_end_on + timedelta(days=61)
    assert Flag.STALLED not in row.flags
    # Expected progress counts 54 days of training (6 Jan to 1 Mar), not 115.
    duration = (enrolment.expected_end_on - START).days
    assert row.expected_percent == 100 * 54 // duration
