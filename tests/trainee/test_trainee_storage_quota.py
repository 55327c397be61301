"""Each trainee's file storage is capped: the pages say how much is used, a file that does
not fit is refused on its field, and a refused or failed upload leaves no file behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.evidence import Attachment, Evidence
from app.models.registration import Qualification
from app.services.audit import chain as audit
from app.services.portfolio import evidence as evidence_service
from app.services.storage import quota as storage_quota
from app.services.supervision import enrolments
from tests.trainee.conftest import MINIMAL_PDF, evidence_form, inline_error, soup

QUOTA = 4 * 1024


def pdf_of(size: int) -> bytes:
    """A real PDF padded with comment bytes to exactly `size` bytes."""
    assert size > len(MINIMAL_PDF)
    return MINIMAL_PDF + b"%" * (size - len(MINIMAL_PDF))


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attachment_count() -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


@pytest.fixture
def small_quota(app):
    app.config["UPLOAD_QUOTA_BYTES"] = QUOTA
    return QUOTA


def attach(app, item: Evidence, content: bytes, name: str = "notes.pdf") -> Attachment:
    found = evidence_service.add_attachment(
        item,
        io.BytesIO(content),
        name,
        actor=item.enrolment.trainee,
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    db.session.commit()
    return found


def test_the_quota_is_500_mb_unless_configured(app):
    assert app.config["UPLOAD_QUOTA_BYTES"] == 500 * 1024 * 1024
    assert storage_quota.StorageUsage(0, app.config["UPLOAD_QUOTA_BYTES"]).describe() == (
        "0 bytes of 500 MB used"
    )


def test_both_upload_pages_say_how_much_storage_is_used(
    client, app, signed_in_trainee, enrolment, log_evidence, small_quota
):
    new_form = soup(client.get("/portfolio/evidence/new/reflective-account"))
    assert new_form.select_one("#storage-used").get_text(strip=True) == (
        "Your file storage: 0 bytes of 4 KB used."
    )
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attach(app, item, pdf_of(1536))
    detail = soup(client.get(f"/portfolio/evidence/{item.id}"))
    assert detail.select_one("#storage-used").get_text(strip=True) == (
        "Your file storage: 1.5 KB of 4 KB used."
    )
    assert "nearly full" not in detail.get_text()


def test_a_nearly_full_store_is_pointed_out(
    client, app, signed_in_trainee, enrolment, log_evidence, small_quota
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attach(app, item, pdf_of(QUOTA - 100))
    page = soup(client.get(f"/portfolio/evidence/{item.id}"))
    assert "Your file storage is nearly full." in page.get_text()


def test_a_file_that_does_not_fit_is_refused_on_its_field_and_nothing_is_kept(
    client, app, signed_in_trainee, enrolment, log_evidence, small_quota
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attach(app, item, pdf_of(1536))
    attach(app, item, pdf_of(1536))
    files_before, version_before = stored_files(app), item.current_version_number

    response = client.post(
        f"/portfolio/evidence/{item.id}/attachments",
        data={"attachment": (io.BytesIO(pdf_of(1536)), "third.pdf")},
    )

    assert response.status_code == 200
    assert inline_error(soup(response), "attachment") == (
        "This file is 1.5 KB but only 1 KB of your 4 KB file storage is left. Delete draft "
        "evidence you no longer need, or ask your administrator for more space"
    )
    assert attachment_count() == 2
    assert stored_files(app) == files_before
    db.session.expire_all()
    assert db.session.get(Evidence, item.id).current_version_number == version_before
    # A file that fits exactly is still taken.
    exact = client.post(
        f"/portfolio/evidence/{item.id}/attachments",
        data={"attachment": (io.BytesIO(pdf_of(1024)), "fits.pdf")},
    )
    assert exact.status_code == 302
    assert storage_quota.used_bytes(enrolment.trainee_id) == QUOTA


def test_new_evidence_with_a_file_that_does_not_fit_saves_nothing(
    client, app, signed_in_trainee, small_quota
):
    data = evidence_form("reflective-account", ["D1.1"])
    data["attachment"] = (io.BytesIO(pdf_of(QUOTA + 1)), "too much.pdf")

    response = client.post("/portfolio/evidence/new/reflective-account", data=data)

    assert response.status_code == 200
    assert "of your 4 KB file storage is left" in inline_error(soup(response), "attachment")
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert stored_files(app) == []


def test_every_file_kept_for_the_trainee_counts_and_no_one_elses(
    app, enrolment, log_evidence, make_trainee
):
    trainee_id = enrolment.trainee_id
    other_enrolment = enrolments.active_enrolment(make_trainee(enrolment.framework).id)
    draft = log_evidence(enrolment, "reflective-account", ["D1.1"])
    submitted = log_evidence(enrolment, "case-study", ["D1.1"], status="submitted")
    attach(app, draft, pdf_of(1000))
    attach(app, submitted, pdf_of(2000))
    attach(app, log_evidence(other_enrolment, "reflective-account", ["D1.1"]), pdf_of(4000))
    db.session.add(
        Qualification(
            user_id=trainee_id,
            kind="l3-diploma-principles-practice",
            status="achieved",
            certificate_size_bytes=300,
        )
    )
    enrolment.exemption_size_bytes = 20
    db.session.commit()

    assert storage_quota.used_bytes(trainee_id) == 1000 + 2000 + 300 + 20
    assert storage_quota.used_bytes(other_enrolment.trainee_id) == 4000


def test_a_fault_after_the_file_is_written_leaves_no_file(
    client, app, signed_in_trainee, enrolment, log_evidence, monkeypatch
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    original = audit.record

    def failing(action, *args, **kwargs):
        if action == "evidence.attachment_added":
            raise RuntimeError("injected after the file and its row were written")
        return original(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    app.testing = False
    try:
        response = client.post(
            f"/portfolio/evidence/{item.id}/attachments",
            data={"attachment": (io.BytesIO(pdf_of(1536)), "notes.pdf")},
        )
    finally:
        app.testing = True
    assert response.status_code == 500
    assert attachment_count() == 0
    assert stored_files(app) == []
