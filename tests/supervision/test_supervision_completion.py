"""The final sign-off: refused with every unmet prerequisite listed, else recorded for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.notifications import Notification
from app.models.signoffs import Completion
from app.services.errors import DomainError
from app.services.supervision import completion, signing, signoffs
from tests.supervision.conftest import count, fresh, sent_mail

TODAY = datetime.now(UTC).date()


@pytest.fixture
def all_signed(enrolment, ready, sign):
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    return enrolment


@pytest.fixture
def prerequisites_met(all_signed, registered, qualified, trainee):
    registered(trainee)
    qualified(trainee)
    return all_signed


def complete(enrolment, **kw):
    kw.setdefault("signer", enrolment.clinical_supervisor)
    kw.setdefault("authenticated_at", fresh())
    kw.setdefault("today", TODAY)
    record = completion.complete(enrolment, **kw)
    db.session.commit()
    return record


def test_with_every_prerequisite_met_the_training_is_completed(
    app, prerequisites_met, trainee, supervisor
):
    enrolment = prerequisites_met
    record = complete(enrolment)

    assert enrolment.status == "completed"
    assert (record.signer_name, record.signer_gphc_number) == ("Priya Shah", "2000001")
    assert record.statement.startswith("I confirm that Sam Okafor has completed their training")
    assert [s["competency_code"] for s in record.prerequisites["sign_offs"]] == ["B1", "B2"]
    assert record.prerequisites["registration"]["number"] == "5000042"
    assert record.record_sha256 == completion.completion_digest(record)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "enrolment.completed"
    assert event.data["record_sha256"] == record.record_sha256
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == trainee.id, Notification.kind == "completed"
        )
    )
    assert note is not None
    assert sent_mail(app)[-1]["Subject"] == "Your training is signed off as complete"


def test_the_statement_is_built_from_the_record_alone(prerequisites_met):
    record = complete(prerequisites_met)
    statement = completion.statement_text(record)
    assert "Trainee:    Sam Okafor" in statement
    assert "Signed by:  Priya Shah, pharmacist, GPhC registration number 2000001" in statement
    assert "B1 Explains how to use an inhaler: Competent" in statement
    assert "GPhC registration: 5000042" in statement
    assert "Level 3 Diploma in the Principles and Practice for Pharmacy Technicians" in statement
    assert record.record_sha256 in statement
    assert completion.statement_filename(record) == (
        f"completion-statement-{prerequisites_met.id}.txt"
    )


def _case(expected: str, id: str, **situation):
    return pytest.param(situation, expected, id=id)


# Each case starts from "everything met" and takes one thing away.
MISSING_ONE = [
    _case("B2 Reconciles medicines on discharge is not signed off", "b2-revoked", b2="revoked"),
    _case(
        "B2 Reconciles medicines on discharge is signed off as “Not yet competent”",
        "b2-not-yet-competent",
        b2="not-yet",
    ),
    _case("No GPhC registration is recorded", "no-registration", registration=None),
    _case(
        "has not been verified against the GPhC register",
        "registration-unverified",
        registration={"verified_by_id": None, "verified_on": None},
    ),
    _case(
        "The registration expired on",
        "registration-expired",
        registration={"expires_on": TODAY - timedelta(days=1)},
    ),
    _case(
        "The GPhC registration has lapsed", "registration-lapsed", registration={"status": "lapsed"}
    ),
    _case("No Level 3 qualification is recorded", "no-qualification", qualification=None),
    _case(
        "The Level 3 qualification is not yet achieved",
        "qualification-not-achieved",
        qualification={"status": "in-progress", "achieved_on": None},
    ),
    _case(
        "The Level 3 qualification has not been verified",
        "qualification-unverified",
        qualification={"verified_by_id": None, "verified_on": None},
    ),
    _case("The enrolment is paused, not active", "enrolment-paused", status="paused"),
]


@pytest.mark.parametrize(("situation", "expected"), MISSING_ONE)
def test_the_final_sign_off_is_refused_naming_each_missing_prerequisite(
    all_signed, registered, qualified, trainee, sign, situation, expected
):
    enrolment = all_signed
    if "b2" in situation:
        record = next(s for s in signoffs.sign_offs_for(enrolment.id) if s.competency_code == "B2")
        signoffs.revoke(
            record, actor=enrolment.clinical_supervisor, reason="Reassess", authenticated_at=fresh()
        )
        db.session.commit()
        if situation["b2"] == "not-yet":
            sign(enrolment, "B2", outcome="not-yet")
    if (changes := situation.get("registration", {})) is not None:
        registered(trainee, **changes)
    if (changes := situation.get("qualification", {})) is not None:
        qualified(trainee, **changes)
    if "status" in situation:
        enrolment.status = situation["status"]
        db.session.commit()
    events = count(AuditEvent)

    problems = completion.completion_problems(enrolment, TODAY)
    assert len(problems) == 1, problems
    assert expected in problems[0]
    with pytest.raises(completion.PrerequisitesUnmet) as refusal:
        complete(enrolment)
    assert refusal.value.problems == problems
    db.session.rollback()
    assert count(Completion) == 0
    assert count(AuditEvent) == events
    assert enrolment.status in ("active", "paused")


def test_every_unmet_prerequisite_is_listed_at_once(enrolment, accepted):
    problems = completion.completion_problems(enrolment, TODAY)
    assert problems[:2] == [
        "B1 Explains how to use an inhaler is not signed off",
        "B2 Reconciles medicines on discharge is not signed off",
    ]
    assert "No GPhC registration is recorded" in problems
    assert "No Level 3 qualification is recorded" in problems


def test_the_registration_check_can_be_replaced(all_signed):
    calls = []

    def check(user_id, today):
        calls.append((user_id, today))
        return ["Registration service says no"]

    with pytest.raises(completion.PrerequisitesUnmet) as refusal:
        complete(all_signed, registration_check=check)
    assert refusal.value.problems == ["Registration service says no"]
    assert calls == [(all_signed.trainee_id, TODAY)]


def test_the_final_sign_off_needs_a_fresh_login_and_the_clinical_supervisor(
    prerequisites_met, make_user, org
):
    with pytest.raises(signing.ReauthenticationRequired):
        complete(prerequisites_met, authenticated_at=None)
    db.session.rollback()
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    with pytest.raises(DomainError, match="clinical supervisor"):
        complete(prerequisites_met, signer=stranger)
    db.session.rollback()
    assert count(Completion) == 0


def test_training_is_completed_once_and_then_nothing_more_is_signed(prerequisites_met, sign):
    complete(prerequisites_met)
    with pytest.raises(DomainError, match="already been signed off as complete"):
        complete(prerequisites_met)
    db.session.rollback()
    with pytest.raises(DomainError, match="completed"):
        sign(prerequisites_met, "B1")


@pytest.mark.parametrize(
    "change", ["UPDATE completions SET statement = 'x'", "DELETE FROM completions"]
)
def test_the_database_refuses_to_change_a_completion(prerequisites_met, change):
    complete(prerequisites_met)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(change))
    db.session.rollback()
