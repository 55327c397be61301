"""`retention apply [--dry-run]`: trainees whose training ended, and who last signed in,
more than RETENTION_YEARS ago are erased through the erasure service; everyone else is
left as they were, and the dry run changes nothing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment
from app.models.signoffs import Completion
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.portfolio import evidence as evidence_service
from app.services.storage.store import current_storage
from app.services.supervision import enrolment_lifecycle, enrolments
from app.services.supervision.completion import completion_digest
from tests.backups.conftest import every_row, stored_bytes
from tests.evidence.conftest import valid_answers
from tests.security.world import PDF

TODAY = uk_today()


def years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years, day=min(TODAY.day, 28)) - timedelta(days=days)


def six_years_before_today() -> date:
    if (TODAY.month, TODAY.day) == (2, 29):
        return date(TODAY.year - 6, 2, 28)
    return TODAY.replace(year=TODAY.year - 6)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


@pytest.fixture
def people(app, make_user, framework):
    """Trainees whose training ended at different times, and one still training."""
    supervisor = make_user(roles=("supervisor",), gphc="2000001")
    lead = make_user(roles=("lead",))

    def trainee(ended_on: date | None, how: str = "completed", *, roles=("trainee",), gphc=None):
        person = make_user(roles=roles, gphc=gphc)
        started = (ended_on or TODAY) - timedelta(days=700)
        enrolment = enrolments.enrol(person, framework, supervisor=supervisor, started_on=started)
        item = evidence_service.create_draft(
            enrolment,
            "reflective-account",
            valid_answers("reflective-account", title="Notes on a review"),
            [(framework.domains[0].competencies[0].code, "")],
            actor=person,
        )
        evidence_service.add_attachment(
            item,
            io.BytesIO(PDF),
            "notes.pdf",
            actor=person,
            upload_dir=app.config["UPLOAD_DIR"],
            max_bytes=app.config["MAX_UPLOAD_BYTES"],
        )
        if ended_on and how == "completed":
            complete(enrolment, supervisor, at_noon(ended_on))
        elif ended_on:
            enrolment_lifecycle.withdraw(enrolment, reason="Left", actor=lead, today=ended_on)
        person.last_login_at = at_noon(ended_on or TODAY)
        db.session.commit()
        return person

    found = {
        "completed_7y": trainee(years_ago(7)),
        "withdrawn_8y": trainee(years_ago(8), "withdrawn"),
        "completed_5y": trainee(years_ago(5)),
        "signed_in_lately": trainee(years_ago(8), "withdrawn"),
        "still_training": trainee(None),
    }
    found["signed_in_lately"].last_login_at = at_noon(TODAY - timedelta(days=30))
    # Trained here long ago, now supervises someone still training.
    mentor = trainee(years_ago(9), roles=("trainee", "supervisor"), gphc="2000002")
    mentee = make_user()
    enrolments.enrol(mentee, framework, supervisor=mentor, started_on=TODAY - timedelta(days=30))
    found["supervising"] = mentor
    db.session.commit()
    return {name: person.id for name, person in found.items()}


def complete(enrolment: Enrolment, signer: User, when: datetime) -> None:
    record = Completion(
        enrolment_id=enrolment.id,
        signer_id=signer.id,
        signer_name=signer.name,
        signer_gphc_number="2000001",
        trainee_name=enrolment.trainee.name,
        framework_label="NCF, version 3",
        statement=f"I confirm that {enrolment.trainee.name} has completed their training.",
        prerequisites={"checked_on": when.date().isoformat(), "sign_offs": []},
        completed_at=when,
        record_sha256="",
    )
    record.record_sha256 = completion_digest(record)
    db.session.add(record)
    enrolment.status = "completed"
    db.session.flush()
    audit.record(
        "enrolment.completed",
        "completion",
        record.id,
        actor=signer,
        data={"record_sha256": record.record_sha256},
    )


def name_of(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).name


def test_the_dry_run_names_who_would_be_erased_and_changes_nothing(runner, people):
    rows, files = every_row(db.engine), stored_bytes(current_storage())

    result = runner.invoke(args=["retention", "apply", "--dry-run"])

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == (
        f"would erase user {people['completed_7y']}: training ended "
        f"{years_ago(7).isoformat()} (completed), last signed in {years_ago(7).isoformat()}"
        "; files: 1"
    )
    assert lines[1].startswith(f"would erase user {people['withdrawn_8y']}: training ended ")
    assert "(withdrawn)" in lines[1]
    assert lines[2].startswith(f"kept user {people['supervising']}: ")
    assert "supervises 1 current enrolment(s): assign another supervisor first" in lines[2]
    assert lines[3] == (
        f"retention (6 years: training ended and last sign-in before "
        f"{six_years_before_today().isoformat()}): would erase 2, keep 1; "
        "nothing changed (run without --dry-run to erase)"
    )
    assert len(lines) == 4
    assert every_row(db.engine) == rows
    assert stored_bytes(current_storage()) == files


def test_apply_erases_those_due_through_the_erasure_service_and_keeps_the_rest(runner, people):
    names = {who: name_of(user_id) for who, user_id in people.items()}
    files_before = len(stored_bytes(current_storage()))

    result = runner.invoke(args=["retention", "apply"])

    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].endswith(": erased 2, kept 1")
    for who in ("completed_7y", "withdrawn_8y"):
        assert f"erased user {people[who]}: " in result.output
        assert name_of(people[who]) == f"Erased person {people[who]}"
    for who in ("completed_5y", "signed_in_lately", "still_training", "supervising"):
        assert name_of(people[who]) == names[who]
    # Each erased person's draft and its file are gone; the others' files stay.
    assert len(stored_bytes(current_storage())) == files_before - 2
    erased_events = db.session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.action == "user.erased")
    ).all()
    assert sorted(erased_events) == sorted(str(people[w]) for w in ("completed_7y", "withdrawn_8y"))
    assert audit.verify_chain().intact

    again = runner.invoke(args=["retention", "apply"])
    assert again.exit_code == 0, again.output
    assert "kept user" in again.output  # the supervisor is still kept
    assert again.output.strip().endswith(": erased 0, kept 1")


def test_the_number_of_years_is_configurable(app, runner, people):
    app.config["RETENTION_YEARS"] = "10"
    result = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nobody is due for erasure" in result.output

    app.config["RETENTION_YEARS"] = "4"
    result = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert f"would erase user {people['completed_5y']}: " in result.output
    assert "would erase 3, keep 1" in result.output


@pytest.mark.parametrize("value", ["0", "six", "2.5", "-1"])
def test_a_retention_period_that_is_not_whole_years_is_refused(app, runner, people, value):
    app.config["RETENTION_YEARS"] = value
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 1
    assert "RETENTION_YEARS must be a whole number of years, 1 or more" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert name_of(people["completed_7y"]) != f"Erased person {people['completed_7y']}"
