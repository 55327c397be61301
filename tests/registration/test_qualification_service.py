"""The Level 3 qualification record: details, certificate upload and verification."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.services.errors import DomainError
from app.services.registration.qualifications import (
    QualificationDetails,
    awaiting_verification,
    qualification_for,
    qualification_name,
    save_qualification,
    verify_qualification,
)
from app.services.storage.documents import Upload
from app.services.supervision.access import SELF_SUPERVISION
from tests.registration.conftest import HTML, PDF, TODAY

ACHIEVED = QualificationDetails(
    "l3-diploma-principles-practice",
    "achieved",
    "City & Guilds",
    started_on=date(2022, 9, 5),
    achieved_on=date(2024, 7, 1),
)


@pytest.fixture
def uploads(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def save(person, details=ACHIEVED, *, actor=None, certificate=None, uploads_dir=None):
    return save_qualification(
        person,
        details,
        actor=actor or person,
        today=TODAY,
        certificate=certificate,
        upload_dir=uploads_dir or "",
        max_bytes=64 * 1024,
    )


def _error(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value


def _stored_files(uploads: Path) -> list[Path]:
    return [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []


def test_an_achieved_qualification_is_saved(trainee):
    saved = save(trainee)
    assert saved.qualification.status == "achieved"
    assert qualification_for(trainee.id).awarding_body == "City & Guilds"


def test_other_needs_a_title(trainee):
    details = QualificationDetails("other", "enrolled", "NOCN")
    assert _error(lambda: save(trainee, details)).field == "title"


def test_a_title_is_kept_only_for_other(trainee):
    details = QualificationDetails(
        "apprenticeship", "enrolled", "NCFE CACHE", title="Ignored", started_on=TODAY
    )
    assert save(trainee, details).qualification.title is None


def test_an_unknown_kind_is_refused(trainee):
    details = QualificationDetails("degree", "enrolled", "NOCN")
    assert _error(lambda: save(trainee, details)).field == "kind"


@pytest.mark.parametrize(
    ("achieved_on", "field"),
    [
        (None, "achieved_on"),
        (TODAY + timedelta(days=1), "achieved_on"),
        (date(2022, 9, 4), "achieved_on"),
    ],
)
def test_achievement_dates_are_checked(trainee, achieved_on, field):
    details = QualificationDetails(
        "l3-diploma-principles-practice",
        "achieved",
        "Pearson",
        started_on=date(2022, 9, 5),
        achieved_on=achieved_on,
    )
    assert _error(lambda: save(trainee, details)).field == field


def test_an_achievement_date_today_is_accepted(trainee):
    details = QualificationDetails(
        "l3-diploma-principles-practice",
        "achieved",
        "Pearson",
        started_on=date(2022, 9, 5),
        achieved_on=TODAY,
    )
    assert save(trainee, details).qualification.achieved_on == TODAY


def test_an_achievement_date_is_refused_before_it_is_achieved(trainee):
    details = QualificationDetails(
        "l3-diploma-principles-practice",
        "in-progress",
        "Pearson",
        started_on=date(2024, 9, 2),
        achieved_on=TODAY,
    )
    assert _error(lambda: save(trainee, details)).field == "achieved_on"


def test_saving_the_same_details_again_changes_nothing(trainee):
    save(trainee)
    db.session.commit()
    assert "nothing has changed" in _error(lambda: save(trainee)).message


def test_a_certificate_is_stored_with_its_digest(trainee, uploads):
    saved = save(
        trainee, certificate=Upload(io.BytesIO(PDF), "My certificate.pdf"), uploads_dir=uploads
    )
    row = saved.qualification
    assert row.certificate_sha256 == hashlib.sha256(PDF).hexdigest()
    assert (row.certificate_media_type, row.certificate_filename) == (
        "application/pdf",
        "My certificate.pdf",
    )
    assert len(_stored_files(uploads)) == 1


def test_a_certificate_that_is_really_html_is_refused_and_nothing_is_kept(trainee, uploads):
    error = _error(
        lambda: save(
            trainee, certificate=Upload(io.BytesIO(HTML), "certificate.pdf"), uploads_dir=uploads
        )
    )
    assert error.field == "certificate"
    assert "cannot be attached" in error.message
    assert qualification_for(trainee.id) is None
    assert _stored_files(uploads) == []


def test_a_text_file_named_as_a_pdf_is_refused(trainee, uploads):
    error = _error(
        lambda: save(
            trainee,
            certificate=Upload(io.BytesIO(b"Certificate of achievement"), "certificate.pdf"),
            uploads_dir=uploads,
        )
    )
    assert error.field == "certificate"
    assert "not that type of file" in error.message
    assert _stored_files(uploads) == []


def test_a_new_certificate_replaces_the_old_and_reports_its_key(trainee, uploads):
    first = save(trainee, certificate=Upload(io.BytesIO(PDF), "a.pdf"), uploads_dir=uploads)
    old_key = first.qualification.certificate_storage_key
    db.session.commit()
    second = save(trainee, certificate=Upload(io.BytesIO(PDF + b" "), "b.pdf"), uploads_dir=uploads)
    assert second.replaced_storage_key == old_key
    assert second.qualification.certificate_storage_key != old_key


def test_any_change_clears_the_verification(trainee, supervisor):
    saved = save(trainee)
    verify_qualification(trainee, saved.qualification.id, actor=supervisor, today=TODAY)
    db.session.commit()
    changed = QualificationDetails(
        ACHIEVED.kind,
        "achieved",
        "Pearson",
        started_on=ACHIEVED.started_on,
        achieved_on=ACHIEVED.achieved_on,
    )
    assert save(trainee, changed).qualification.verified_by_id is None


def test_the_supervisor_verifies_an_achieved_qualification(trainee, supervisor):
    saved = save(trainee)
    verify_qualification(trainee, saved.qualification.id, actor=supervisor, today=TODAY)
    assert saved.qualification.verified_by_id == supervisor.id
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "qualification.verified")
        )
        == 1
    )


def test_a_qualification_in_progress_cannot_be_verified(trainee, supervisor):
    details = QualificationDetails(
        "l3-diploma-principles-practice", "in-progress", "Pearson", started_on=date(2024, 9, 2)
    )
    saved = save(trainee, details)
    error = _error(
        lambda: verify_qualification(trainee, saved.qualification.id, actor=supervisor, today=TODAY)
    )
    assert "achieved" in error.message


def test_a_trainee_cannot_verify_their_own_qualification(trainee):
    saved = save(trainee)
    error = _error(
        lambda: verify_qualification(trainee, saved.qualification.id, actor=trainee, today=TODAY)
    )
    assert error.message == SELF_SUPERVISION


def test_a_lead_outside_the_organisation_cannot_verify(trainee, outside_lead):
    saved = save(trainee)
    error = _error(
        lambda: verify_qualification(
            trainee, saved.qualification.id, actor=outside_lead, today=TODAY
        )
    )
    assert "supervisor or an education lead" in error.message


# --- What the pages show of it ---------------------------------------------------------------

IN_PROGRESS = QualificationDetails(
    "l3-diploma-principles-practice", "in-progress", "Pearson", started_on=date(2024, 9, 2)
)


def test_a_qualification_awaits_verification_once_achieved_until_verified(trainee, supervisor):
    assert not awaiting_verification(None)
    in_progress = save(trainee, IN_PROGRESS).qualification
    db.session.commit()
    assert not awaiting_verification(in_progress)
    refused = _error(
        lambda: verify_qualification(trainee, in_progress.id, actor=supervisor, today=TODAY)
    )
    assert "Only an achieved" in refused.message
    achieved = save(trainee).qualification
    db.session.commit()
    assert awaiting_verification(achieved)
    verify_qualification(trainee, achieved.id, actor=supervisor, today=TODAY)
    db.session.commit()
    assert not awaiting_verification(achieved)
    again = _error(
        lambda: verify_qualification(trainee, achieved.id, actor=supervisor, today=TODAY)
    )
    assert "already verified" in again.message


def test_a_listed_kind_is_named_by_its_label(trainee):
    assert qualification_name(save(trainee).qualification) == (
        "Level 3 Diploma in the Principles and Practice for Pharmacy Technicians"
    )


def test_an_other_qualification_is_named_by_its_own_title(trainee):
    details = QualificationDetails(
        "other",
        "in-progress",
        "Pearson",
        title="BTEC in Pharmaceutical Science",
        started_on=date(2024, 9, 2),
        justification="The training hub mapped it to the Level 3 Diploma's units.",
    )
    assert qualification_name(save(trainee, details).qualification) == (
        "BTEC in Pharmaceutical Science"
    )
