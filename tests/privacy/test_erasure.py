"""Erasing a person: their personal data and files go, the audit chain still verifies,
the records other people rely on stay as they were, and the person cannot sign in."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment
from app.models.registration import Registration
from app.models.reviews import Review
from app.models.signoffs import SignOff
from app.models.users import User
from app.services.accounts import api_tokens
from app.services.audit import chain as audit
from app.services.audit import record_checks
from app.services.privacy import erasure
from app.services.supervision import enrolments
from tests.conftest import DEFAULT_PASSWORD
from tests.privacy.conftest import (
    OWNER_MARKERS,
    REVIEW_COMMENT,
    database_text,
    files_of,
    record_of,
    stored_files,
)
from tests.security.world import OWNER_EMAIL, OWNER_NAME


def erase(runner, email: str, *, confirm: bool = True):
    args = ["users", "erase", "--email", email] + (["--confirm"] if confirm else [])
    return runner.invoke(args=args)


def signed_in(app, login, user: User):
    client = app.test_client()
    login(client, user)
    return client


def test_the_audit_trail_holds_ids_and_digests_only(world):
    # Before any erasure: nothing a person wrote or is called appears in an audit event.
    events = json.dumps(
        [
            [e.action, e.subject_type, e.subject_id, e.data]
            for e in db.session.scalars(select(AuditEvent))
        ]
    )
    assert [m for m in OWNER_MARKERS if m in events] == []
    assert "Bo Otherton" not in events


def test_erasing_a_trainee_removes_her_personal_data_and_files(app, runner, world, login):
    owner, other_id = world.users["owner"], world.users["other_trainee"].id
    owner_id = owner.id
    old_session = signed_in(app, login, owner)
    token = api_tokens.create_token(owner)
    db.session.commit()
    her_files, files_before = files_of(owner), stored_files(app)
    assert her_files
    assert her_files <= files_before
    others_record = record_of(app, other_id)
    assert [m for m in OWNER_MARKERS if m in database_text()] == list(OWNER_MARKERS)

    result = erase(runner, OWNER_EMAIL)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"erased {OWNER_EMAIL}: now user {owner_id}; ")
    # Nothing identifying her, or written about her, is left anywhere in the database.
    assert [m for m in OWNER_MARKERS if m in database_text()] == []
    person = db.session.get(User, owner_id)
    assert (person.name, person.email) == (
        f"Erased person {owner_id}",
        f"erased-{owner_id}@erased.invalid",
    )
    assert (person.password_hash, person.active) == (None, False)
    # Her files are gone from the disk; everyone else's are still there.
    assert stored_files(app) == files_before - her_files
    # The audit chain verifies, and so does every signed record, hers included.
    assert audit.verify_chain().intact
    assert record_checks.verify_records() == []
    db.session.rollback()
    # Another trainee's record is exactly as it was.
    assert record_of(app, other_id) == others_record
    # She cannot sign in, her old session has ended, and her API tokens are refused.
    login_again = app.test_client().post(
        "/auth/login", data={"email": OWNER_EMAIL, "password": DEFAULT_PASSWORD}
    )
    assert login_again.status_code != 302
    assert old_session.get("/portfolio/").status_code == 302
    assert old_session.get("/portfolio/").headers["Location"].startswith("/auth/login")
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def test_her_signed_records_keep_who_signed_what_and_when(app, runner, world):
    owner_id, enrolment_id = world.users["owner"].id, world.args["enrolment_id"]
    before = db.session.scalars(select(SignOff).where(SignOff.enrolment_id == enrolment_id)).one()
    kept = (
        before.signer_name,
        before.signer_gphc_number,
        before.competency_code,
        before.outcome_code,
        before.signed_at,
        before.record_sha256,
    )
    statement = before.statement
    db.session.rollback()

    assert erase(runner, OWNER_EMAIL).exit_code == 0

    after = db.session.scalars(select(SignOff).where(SignOff.enrolment_id == enrolment_id)).one()
    assert (
        after.signer_name,
        after.signer_gphc_number,
        after.competency_code,
        after.outcome_code,
        after.signed_at,
        after.record_sha256,
    ) == kept
    assert after.trainee_name == erasure.ERASED
    assert after.statement == statement.replace(OWNER_NAME, erasure.ERASED)
    assert after.revocation.reason == erasure.ERASED
    review = db.session.scalars(select(Review).where(Review.comment == erasure.ERASED)).one()
    assert review.decision == "changes_requested"
    assert db.session.get(Enrolment, enrolment_id).status == "withdrawn"
    erased_event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.erased")
    ).one()
    assert (erased_event.subject_id, erased_event.actor_id) == (str(owner_id), None)
    assert set(erased_event.data["counts"]) >= {"evidence_deleted", "sign_offs_erased"}


def test_erasing_a_supervisor_keeps_what_they_signed_for_others(app, runner, world, login):
    owner_id, supervisor = world.users["owner"].id, world.users["assigned_supervisor"]
    admin, replacement = world.users["admin"], world.users["unassigned_supervisor"]
    email, supervisor_id = supervisor.email, supervisor.id

    refused = erase(runner, email)
    assert refused.exit_code == 1
    assert "supervises 1 trainee: assign another supervisor first" in refused.output

    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    enrolments.assign_supervisor(enrolment, replacement, kind="clinical", actor=admin)
    db.session.commit()
    before = record_of(app, owner_id)
    files_before = stored_files(app)

    result = erase(runner, email)

    assert result.exit_code == 0, result.output
    after = record_of(app, owner_id)
    # The trainee's sign-offs are kept as they were signed, with the signer's name and number.
    assert after["enrolments"][0]["sign_offs"] == before["enrolments"][0]["sign_offs"]
    assert after["enrolments"][0]["sign_offs"][0]["signer_gphc_number"] == "2000001"
    # Reviews stay, comments and all; the reviewer now shows as the placeholder.
    (item,) = [e for e in after["enrolments"][0]["evidence"] if e["reviews"]]
    assert item["reviews"][0]["comment"] == REVIEW_COMMENT
    assert item["reviews"][0]["reviewer"] == f"Erased person {supervisor_id}"
    assert stored_files(app) == files_before
    assert (
        db.session.scalars(select(Registration).where(Registration.user_id == supervisor_id)).all()
        == []
    )
    assert audit.verify_chain().intact
    assert record_checks.verify_records() == []
    db.session.rollback()
    refused_login = app.test_client().post(
        "/auth/login", data={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert refused_login.status_code != 302


def test_without_confirm_it_only_says_what_would_go(app, runner, world):
    before, files_before = database_text(), stored_files(app)

    result = erase(runner, OWNER_EMAIL, confirm=False)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"would erase {OWNER_EMAIL} (user {world.users['owner'].id})")
    assert "run again with --confirm" in result.output
    assert database_text() == before
    assert stored_files(app) == files_before


def test_erasure_is_refused_for_an_unknown_or_already_erased_person(runner, world):
    assert "no account for nobody@example.org" in erase(runner, "nobody@example.org").output
    owner_id = world.users["owner"].id
    assert erase(runner, OWNER_EMAIL).exit_code == 0
    again = erase(runner, f"erased-{owner_id}@erased.invalid")
    assert again.exit_code == 1
    assert "is already erased" in again.output


def test_an_administrator_cannot_erase_themselves(world):
    admin = world.users["admin"]
    with pytest.raises(erasure.DomainError, match="cannot erase your own account"):
        erasure.erase_person(admin, actor=admin)


# --- The database allows the erasure, and nothing else, on append-only tables -----------


def _refused(statement: str) -> bool:
    """True when the database refuses the statement as a change to an append-only table."""
    db.session.commit()
    message = ""
    try:
        with db.session.begin_nested():
            db.session.execute(text(statement))
    except DBAPIError as error:
        message = str(error.orig)
    finally:
        db.session.rollback()
    return "append-only" in message


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE sign_offs SET comment = 'Changed my mind'",
        "UPDATE sign_offs SET trainee_name = '[erased]', statement = '[erased]', "
        "comment = '[erased]', override_justification = '[erased]'",  # the whole statement
        "UPDATE sign_offs SET trainee_name = '[erased]', comment = '[erased]', "
        "override_justification = '[erased]', signer_name = 'Someone else', "
        "statement = replace(statement, trainee_name, '[erased]')",
        "UPDATE sign_offs SET outcome_code = 'not-yet'",
        "DELETE FROM sign_offs",
        "UPDATE reviews SET comment = 'Rewritten'",
        "UPDATE reviews SET comment = '[erased]', decision = 'accepted'",
        "DELETE FROM reviews",
        "UPDATE sign_off_revocations SET reason = 'Rewritten'",
        "UPDATE sign_off_revocations SET reason = '[erased]', revoked_by_name = 'x'",
    ],
)
def test_append_only_tables_refuse_every_change_but_an_erasure(world, statement):
    assert _refused(statement)


def test_append_only_tables_accept_the_erasure_itself(world):
    assert not _refused(
        "UPDATE sign_offs SET trainee_name = '[erased]', comment = '[erased]', "
        "override_justification = CASE WHEN override_justification IS NULL THEN NULL "
        "ELSE '[erased]' END, statement = replace(statement, trainee_name, '[erased]')"
    )
    assert not _refused("UPDATE reviews SET comment = '[erased]'")
    assert not _refused("UPDATE sign_off_revocations SET reason = '[erased]'")


def test_a_completion_loses_the_trainees_name_and_registration_but_keeps_its_signer(world):
    from app.models.base import utcnow
    from app.models.signoffs import Completion
    from app.services.supervision.completion import completion_digest

    owner, supervisor = world.users["owner"], world.users["assigned_supervisor"]
    record = Completion(
        enrolment_id=world.args["enrolment_id"],
        signer_id=supervisor.id,
        signer_name=supervisor.name,
        signer_gphc_number="2000001",
        trainee_name=OWNER_NAME,
        framework_label="NCF for pharmacy technicians, version 3",
        statement=f"I confirm that {OWNER_NAME} has completed their training.",
        prerequisites={
            "checked_on": "2026-01-01",
            "sign_offs": [],
            "registration": {"id": 1, "number": "5012345", "expires_on": "2027-01-01"},
            "qualification": {"id": 1, "title": "Level 3", "achieved_on": "2022-01-06"},
        },
        completed_at=utcnow(),
        record_sha256="",
    )
    record.record_sha256 = completion_digest(record)
    db.session.add(record)
    db.session.flush()
    audit.record(
        "enrolment.completed",
        "completion",
        record.id,
        actor=supervisor,
        data={"record_sha256": record.record_sha256},
    )
    db.session.commit()
    record_id, digest = record.id, record.record_sha256
    assert _refused("UPDATE completions SET prerequisites = '{}'")

    erasure.erase_person(db.session.get(User, owner.id), actor=world.users["admin"])
    db.session.commit()

    after = db.session.get(Completion, record_id)
    assert (after.trainee_name, after.signer_name) == (erasure.ERASED, supervisor.name)
    assert after.statement == "I confirm that [erased] has completed their training."
    assert after.prerequisites["registration"] == {
        "id": 1,
        "number": "[erased]",
        "expires_on": "[erased]",
    }
    assert after.record_sha256 == digest
    assert record_checks.verify_records() == []
