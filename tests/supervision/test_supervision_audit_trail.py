"""Every supervision state change writes one audit event, and tampering shows.

Tampering goes around the database's triggers, as an attacker with database access
would: `audit verify` then names the altered event, and `supervisor verify-records`
names a sign-off whose row no longer matches its digest or its audit event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models.audit import AuditEvent
from app.services.audit import record_checks
from app.services.supervision import completion, enrolments, signoffs
from app.services.supervision import sessions as supervision_sessions
from tests.conftest import ON_POSTGRES
from tests.supervision.conftest import audit_actions, fresh


def test_each_supervision_change_writes_exactly_one_event(
    enrolment, submitted, ready, sign, registered, qualified, trainee, make_user, org
):
    from app.services.supervision import reviews

    before = len(audit_actions())
    item = submitted(enrolment, "reflective-account", ["B1"])
    reviews.record_review(
        item,
        reviewer=enrolment.clinical_supervisor,
        decision="changes_requested",
        comment="More detail, please.",
        version_number=1,
    )
    db.session.commit()
    ready(enrolment, "B1")
    ready(enrolment, "B2")
    first = sign(enrolment, "B1")
    signoffs.revoke(
        first, actor=enrolment.clinical_supervisor, reason="Wrong outcome", authenticated_at=fresh()
    )
    db.session.commit()
    sign(enrolment, "B1")
    sign(enrolment, "B2")
    supervision_sessions.record_session(
        enrolment,
        supervisor=enrolment.clinical_supervisor,
        held_on=date(2025, 2, 3),
        duration_minutes=30,
        topics="Progress",
        today=date(2025, 6, 1),
    )
    db.session.commit()
    registered(trainee)
    qualified(trainee)
    completion.complete(
        enrolment,
        signer=enrolment.clinical_supervisor,
        authenticated_at=fresh(),
        today=datetime.now(UTC).date(),
    )
    db.session.commit()

    supervision = [
        a
        for a in audit_actions()[before:]
        if not a.startswith("evidence.") or a == "evidence.reviewed"
    ]
    assert supervision == [
        "evidence.reviewed",
        *["evidence.reviewed"] * 4,  # the accepted items that made B1 and B2 ready
        "competency.signed_off",
        "competency.sign_off_revoked",
        "competency.signed_off",
        "competency.signed_off",
        "supervision_session.recorded",
        "enrolment.completed",
    ]
    # Every signed record (sign-offs, the revocation, the completion) checks out.
    assert record_checks.verify_records() == []


def test_supervisor_assignment_is_audited_with_history(enrolment, make_user, org):
    new = make_user(roles=("supervisor",), org=org, gphc="2000005")
    admin = make_user(roles=("admin",))
    enrolments.assign_supervisor(enrolment, new, kind="clinical", actor=admin)
    db.session.commit()
    assert audit_actions()[-1] == "enrolment.supervisor_assigned"
    history = enrolments.assignment_history(enrolment.id)
    assert [(h.supervisor_name, h.ended_at is None) for h in history] == [
        ("Priya Shah", False),
        (new.name, True),
    ]


def _bypass_triggers(statement: str, **params) -> None:
    """Change a row the way an attacker with database access would: around the triggers."""
    db.session.rollback()
    if ON_POSTGRES:
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(statement), params)
    else:
        table = statement.split()[1]
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
            conn.execute(text(statement), params)
    db.session.expire_all()


def test_audit_verify_names_a_tampered_sign_off_event(runner, enrolment, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    event_id = db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "competency.signed_off", AuditEvent.subject_id == str(record.id)
        )
    )
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output

    _bypass_triggers("UPDATE audit_events SET actor_id = NULL WHERE id = :id", id=event_id)

    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"event {event_id}" in broken.output


@pytest.mark.summary_may_differ("it edits a sign-off with SQL behind the app's back")
def test_verify_records_names_a_sign_off_changed_behind_the_triggers(
    runner, enrolment, ready, sign
):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1", outcome="not-yet")
    ok = runner.invoke(args=["supervisor", "verify-records"])
    assert ok.exit_code == 0, ok.output

    _bypass_triggers(
        "UPDATE sign_offs SET outcome_label = 'Competent', proficient = :yes WHERE id = :id",
        id=record.id,
        yes=True,
    )

    broken = runner.invoke(args=["supervisor", "verify-records"])
    assert broken.exit_code == 1
    assert f"sign-off {record.id}: its content does not match its digest" in broken.output
    # The hash chain itself is untouched: only the record check sees this change.
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_verify_records_notices_a_digest_recomputed_to_match(runner, enrolment, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    db.session.refresh(record)
    with db.session.no_autoflush:
        record.comment = "A different comment"
        forged = signoffs.sign_off_digest(record)

    _bypass_triggers(
        "UPDATE sign_offs SET comment = 'A different comment', record_sha256 = :sha WHERE id = :id",
        sha=forged,
        id=record.id,
    )

    broken = runner.invoke(args=["supervisor", "verify-records"])
    assert broken.exit_code == 1
    assert f"sign-off {record.id}: its digest does not match its audit event" in broken.output


def test_verify_records_names_a_completion_changed_behind_the_triggers(
    runner, enrolment, ready, sign, registered, qualified, trainee
):
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    registered(trainee)
    qualified(trainee)
    record = completion.complete(
        enrolment,
        signer=enrolment.clinical_supervisor,
        authenticated_at=fresh(),
        today=datetime.now(UTC).date(),
    )
    db.session.commit()
    assert runner.invoke(args=["supervisor", "verify-records"]).exit_code == 0

    _bypass_triggers(
        "UPDATE completions SET signer_name = 'Someone Else' WHERE id = :id", id=record.id
    )

    broken = runner.invoke(args=["supervisor", "verify-records"])
    assert broken.exit_code == 1
    assert f"completion {record.id}: its content does not match its digest" in broken.output
