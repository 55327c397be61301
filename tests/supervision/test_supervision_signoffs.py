"""Competency sign-off and revocation: who may sign, when, and what is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.registration import Registration
from app.models.signoffs import SignOff, SignOffRevocation
from app.services.errors import DomainError
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio import sufficiency
from app.services.supervision import enrolments, signing, signoffs
from tests.evidence.conftest import TODAY, valid_answers
from tests.supervision.conftest import competency, count, fresh, sent_mail


def test_a_ready_competency_is_signed_off_with_everything_recorded(
    app, enrolment, ready, sign, supervisor, trainee
):
    items = ready(enrolment, "B1")
    before = utcnow()

    record = sign(enrolment, "B1", comment="Confident and accurate with patients.")

    assert record.competency_code == "B1"
    assert (record.outcome_code, record.outcome_label, record.proficient) == (
        "competent",
        "Competent",
        True,
    )
    assert record.signer_id == supervisor.id
    assert (record.signer_name, record.signer_gphc_number) == ("Priya Shah", "2000001")
    assert record.trainee_name == "Sam Okafor"
    assert record.statement.startswith(
        "I confirm that Sam Okafor is competent in B1 Explains how to use an inhaler."
    )
    assert before <= record.signed_at <= utcnow()
    assert record.signed_at.tzinfo is not None
    assert record.signed_at.utcoffset() == timedelta(0)
    assert record.evidence_versions == [
        {
            "evidence_id": item.id,
            "version_id": item.current_version.id,
            "version": 1,
            "content_sha256": item.current_version.content_sha256,
        }
        for item in items
    ]
    assert record.override_justification is None
    assert record.unmet_rule == []
    assert record.record_sha256 == signoffs.sign_off_digest(record)
    assert signoffs.signed_off_competency_ids(enrolment.id) == {competency(enrolment, "B1").id}
    assert sent_mail(app)[-1]["To"] == trainee.email


def test_the_digest_survives_a_round_trip_through_the_database(enrolment, ready, sign):
    ready(enrolment, "B1")
    record_id = sign(enrolment, "B1").id
    db.session.expire_all()
    stored = db.session.get(SignOff, record_id)
    assert signoffs.sign_off_digest(stored) == stored.record_sha256


def test_signing_off_writes_one_audit_event_with_ids_and_digests_only(enrolment, ready, sign):
    ready(enrolment, "B1")
    before = count(AuditEvent)
    record = sign(enrolment, "B1", comment="A comment that must stay out of the audit trail")
    assert count(AuditEvent) == before + 1
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.subject_type, event.subject_id) == (
        "competency.signed_off",
        "sign_off",
        str(record.id),
    )
    assert event.data["record_sha256"] == record.record_sha256
    assert event.data["evidence_version_ids"] == [v["version_id"] for v in record.evidence_versions]
    assert "comment" not in str(event.data).lower()
    assert "Priya" not in str(event.data)


def test_a_supervisor_who_is_not_assigned_cannot_sign_off(enrolment, ready, sign, make_user, org):
    ready(enrolment, "B1")
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    with pytest.raises(DomainError, match="Only Sam Okafor's clinical supervisor"):
        sign(enrolment, "B1", signer=stranger)
    db.session.rollback()
    assert count(SignOff) == 0


def test_the_education_supervisor_cannot_sign_off(enrolment, ready, sign, make_user, org):
    educator = make_user(roles=("supervisor",), org=org, gphc="2000003")
    enrolments.assign_supervisor(
        enrolment, educator, kind="education", actor=make_user(roles=("admin",))
    )
    db.session.commit()
    ready(enrolment, "B1")
    with pytest.raises(DomainError, match="clinical supervisor"):
        sign(enrolment, "B1", signer=educator)


@pytest.mark.parametrize(
    ("registration", "why"),
    [
        (
            {"register": "pharmacist", "number": "2000001", "status": "lapsed"},
            "Your GPhC registration is recorded as lapsed",
        ),
        (
            {"register": "pharmacy-technician", "number": "5000007", "status": "registered"},
            "Your GPhC registration 5000007 is not on the pharmacist register",
        ),
    ],
    ids=["pharmacist-registration-lapsed", "technician-number-only"],
)
def test_a_supervisor_without_a_standing_pharmacist_registration_cannot_sign_off(
    enrolment, ready, sign, supervisor, registration, why
):
    ready(enrolment, "B1")
    # The newest registration row is the current one: the number is no longer a pharmacist's.
    db.session.add(Registration(user_id=supervisor.id, **registration))
    db.session.commit()
    with pytest.raises(DomainError, match=f"You cannot sign. {why}"):
        sign(enrolment, "B1")
    db.session.rollback()
    assert count(SignOff) == 0


@pytest.mark.parametrize(
    "authenticated_at",
    [None, datetime.now(UTC) - timedelta(minutes=6), datetime.now(UTC) + timedelta(hours=1)],
    ids=["never-confirmed", "confirmed-too-long-ago", "from-the-future"],
)
def test_a_stale_login_cannot_sign_off(enrolment, ready, sign, authenticated_at):
    ready(enrolment, "B1")
    with pytest.raises(signing.ReauthenticationRequired):
        sign(enrolment, "B1", authenticated_at=authenticated_at)
    db.session.rollback()
    assert count(SignOff) == 0


def test_a_competency_that_is_not_ready_needs_a_written_override(enrolment, accepted, sign):
    accepted(enrolment, "reflective-account", ["B1"])
    with pytest.raises(DomainError, match="B1 is not ready for sign-off") as error:
        sign(enrolment, "B1")
    assert error.value.field == "override_justification"
    assert "needs 1 more accepted item" in error.value.message
    db.session.rollback()
    assert count(SignOff) == 0


def test_an_override_is_recorded_with_its_justification_and_what_was_unmet(
    enrolment, accepted, sign
):
    accepted(enrolment, "reflective-account", ["B1"])
    record = sign(
        enrolment, "B1", override_justification="  Observed in clinic weekly since March.  "
    )
    assert record.override_justification == "Observed in clinic weekly since March."
    assert record.unmet_rule == [
        "needs 1 more accepted item",
        "needs a second evidence type",
        "needs an observed assessment",
    ]
    assert len(record.evidence_versions) == 1


def test_a_justification_given_for_a_ready_competency_is_not_an_override(enrolment, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1", override_justification="Not needed")
    assert record.override_justification is None


def test_signing_off_the_same_competency_twice_is_refused(enrolment, ready, sign):
    ready(enrolment, "B1")
    sign(enrolment, "B1")
    with pytest.raises(DomainError, match="already signed off"):
        sign(enrolment, "B1")
    db.session.rollback()
    assert count(SignOff) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"outcome": "superb"}, "outcome"), ({"comment": "  "}, "comment")],
)
def test_the_outcome_must_come_from_the_scale_and_a_comment_is_required(
    enrolment, ready, sign, changes, field
):
    ready(enrolment, "B1")
    with pytest.raises(DomainError) as error:
        sign(enrolment, "B1", **changes)
    assert error.value.field == field


def test_a_competency_of_another_framework_is_not_found(enrolment, sign, framework):
    other = framework.domains[0].competencies[0]
    with pytest.raises(DomainError, match="not found"):
        signoffs.sign_off(
            enrolment,
            other,
            signer=enrolment.clinical_supervisor,
            outcome_code="competent",
            comment="x",
            authenticated_at=fresh(),
        )


def test_an_enrolment_that_is_not_active_cannot_be_signed(enrolment, ready, sign):
    ready(enrolment, "B1")
    enrolment.status = "withdrawn"
    db.session.commit()
    with pytest.raises(DomainError, match="withdrawn"):
        sign(enrolment, "B1")


def test_a_not_yet_competent_outcome_is_recorded_but_does_not_count_as_signed_off(
    enrolment, ready, sign
):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1", outcome="not-yet")
    assert not record.proficient
    assert "not yet proficient" in record.statement
    assert signoffs.signed_off_competency_ids(enrolment.id) == frozenset()


def test_the_sign_off_keeps_the_version_it_relied_on_when_the_evidence_changes(
    enrolment, ready, sign
):
    items = ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    old = items[0].current_version
    evidence_service.edit(
        items[0],
        valid_answers("reflective-account", title="Rewritten later"),
        [("B1", "Shows it")],
        actor=enrolment.trainee,
        today=TODAY,
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(SignOff, record.id)
    assert stored.evidence_versions[0]["version_id"] == old.id
    assert stored.evidence_versions[0]["content_sha256"] == old.content_sha256
    assert items[0].current_version_number == 2


# --- Revocation ----------------------------------------------------------------------


def revoke(record, reason="Signed against the wrong trainee's observation.", **kw):
    kw.setdefault("actor", record.enrolment.clinical_supervisor)
    kw.setdefault("authenticated_at", fresh())
    revocation = signoffs.revoke(record, reason=reason, **kw)
    db.session.commit()
    return revocation


def test_revoking_adds_a_record_and_leaves_the_sign_off_untouched(enrolment, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    digest = record.record_sha256

    revocation = revoke(record)

    assert revocation.sign_off_id == record.id
    assert revocation.reason == "Signed against the wrong trainee's observation."
    assert revocation.revoked_by_name == "Priya Shah"
    assert revocation.record_sha256 == signoffs.revocation_digest(revocation, digest)
    db.session.expire_all()
    assert db.session.get(SignOff, record.id).record_sha256 == digest
    assert signoffs.signed_off_competency_ids(enrolment.id) == frozenset()
    progress = sufficiency.progress_for(enrolment, signoffs.signed_off_competency_ids(enrolment.id))
    assert progress[0].status == "ready"
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "competency.sign_off_revoked"
    assert event.data["sign_off_id"] == record.id


def test_revoking_needs_a_reason(enrolment, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    with pytest.raises(DomainError) as error:
        revoke(record, reason=" ")
    assert error.value.field == "reason"


def test_revoking_needs_a_fresh_login_and_the_clinical_supervisor(
    enrolment, ready, sign, make_user, org
):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    with pytest.raises(signing.ReauthenticationRequired):
        revoke(record, authenticated_at=utcnow() - timedelta(hours=1))
    db.session.rollback()
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    with pytest.raises(DomainError, match="clinical supervisor"):
        revoke(record, actor=stranger)
    db.session.rollback()
    assert count(SignOffRevocation) == 0


def test_a_sign_off_is_revoked_once(enrolment, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    revoke(record)
    with pytest.raises(DomainError, match="already been revoked"):
        revoke(record)


def test_after_revocation_the_competency_can_be_signed_off_again(enrolment, ready, sign):
    ready(enrolment, "B1")
    first = sign(enrolment, "B1", outcome="not-yet")
    revoke(first, reason="Reassessed after more practice.")
    second = sign(enrolment, "B1")
    assert (first.sequence, second.sequence) == (1, 2)
    assert signoffs.signed_off_competency_ids(enrolment.id) == {competency(enrolment, "B1").id}


# --- The database itself keeps them append-only ---------------------------------------------


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("sign_offs", "UPDATE sign_offs SET outcome_label = 'Excellent'"),
        ("sign_offs", "DELETE FROM sign_offs"),
        ("sign_off_revocations", "UPDATE sign_off_revocations SET reason = 'x'"),
        ("sign_off_revocations", "DELETE FROM sign_off_revocations"),
        ("reviews", "UPDATE reviews SET comment = 'x'"),
        ("reviews", "DELETE FROM reviews"),
    ],
)
def test_the_database_refuses_to_change_sign_offs_revocations_and_reviews(
    enrolment, ready, sign, table, change
):
    ready(enrolment, "B1")
    revoke(sign(enrolment, "B1"))
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(change))
    db.session.rollback()
