"""Issue 21 point 1: uploads, downloads, quota and erasure behave the same whether files are
kept in the local folder or in the S3-compatible server (tests/s3_server.py).

Each test runs once per backend (the `backend` fixture); on S3 the local folder must stay
empty, so nothing quietly falls back to the disk.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from werkzeug.http import parse_options_header

from app.downloads import DOWNLOAD_CACHE_CONTROL, DOWNLOAD_CSP
from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Attachment, Evidence
from app.models.registration import Qualification
from app.services.pathway import programme_status
from app.services.storage import current_storage
from app.services.storage.documents import Upload
from tests.s3_server import free_port
from tests.security.world import signed_in_client
from tests.storage.conftest import stored_keys

PDF = b"%PDF-1.4\n" + b"% a page of notes\n" * 20_000 + b"%%EOF\n"  # several chunks


def local_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def only_where_configured(app, backend: str) -> None:
    if backend == "s3":
        assert local_files(app) == [], "an S3 deployment wrote to the local folder"


def add_exemption_letter(app, world, content: bytes, name: str) -> None:
    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    programme_status.update_programme_status(
        enrolment,
        programme_status.ProgrammeStatusChange("exempt", Decimal("1.0"), Decimal(0), "arrs", "5"),
        actor=world.users["lead_inside"],
        exemption_document=Upload(io.BytesIO(content), name),
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    db.session.commit()


def attachment_named(name: str) -> Attachment:
    return db.session.scalars(select(Attachment).where(Attachment.original_filename == name)).one()


def filename(response) -> str:
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


def test_a_file_uploaded_through_the_page_is_downloaded_whole_with_the_same_headers(
    backend, app, world, login
):
    client = signed_in_client(app, login, world.users["owner"])
    evidence_id = world.draft_args["evidence_id"]
    response = client.post(
        f"/portfolio/evidence/{evidence_id}/attachments",
        data={"attachment": (io.BytesIO(PDF), "Audit notes.pdf")},
    )
    assert response.status_code == 302
    attachment = attachment_named("Audit notes.pdf")
    assert attachment.storage_key in stored_keys()
    with current_storage().open(attachment.storage_key) as handle:
        assert handle.read() == PDF

    download = client.get(f"/portfolio/evidence/{evidence_id}/attachments/{attachment.id}")

    assert download.status_code == 200
    assert "Content-Length" not in download.headers  # streamed from the storage in chunks
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert filename(download) == "Audit notes.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == DOWNLOAD_CSP
    assert download.headers["Cache-Control"] == DOWNLOAD_CACHE_CONTROL
    only_where_configured(app, backend)


def test_certificates_letters_and_the_record_archive_come_from_the_storage(
    backend, app, world, login
):
    add_exemption_letter(app, world, b"%PDF-1.4\nexempt\n%%EOF\n", "exemption.pdf")
    lead = signed_in_client(app, login, world.users["lead_inside"])
    owner = signed_in_client(app, login, world.users["owner"])
    letter = lead.get(f"/registration/enrolments/{world.args['enrolment_id']}/exemption-document")
    assert letter.status_code == 200
    assert letter.data == b"%PDF-1.4\nexempt\n%%EOF\n"
    assert filename(letter) == "exemption.pdf"

    certificate_key = db.session.scalar(
        select(Qualification.certificate_storage_key).where(
            Qualification.user_id == world.users["owner"].id
        )
    )
    with current_storage().open(certificate_key) as handle:
        certificate = handle.read()
    mine = owner.get("/registration/qualification/certificate")
    assert mine.status_code == 200
    assert mine.data == certificate

    archive = owner.get("/portfolio/record.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        contents = [opened.read(name) for name in opened.namelist() if name.startswith("files/")]
    assert certificate in contents
    only_where_configured(app, backend)


def test_removing_an_attachment_deletes_its_file_after_the_commit(backend, app, world, login):
    client = signed_in_client(app, login, world.users["owner"])
    evidence_id = world.draft_args["evidence_id"]
    client.post(
        f"/portfolio/evidence/{evidence_id}/attachments",
        data={"attachment": (io.BytesIO(PDF), "to remove.pdf")},
    )
    attachment = attachment_named("to remove.pdf")
    key, attachment_id = attachment.storage_key, attachment.id
    assert key in stored_keys()

    removed = client.post(f"/portfolio/evidence/{evidence_id}/attachments/{attachment_id}/remove")

    assert removed.status_code == 302
    assert db.session.get(Attachment, attachment_id) is None
    assert key not in stored_keys()
    gone = client.get(f"/portfolio/evidence/{evidence_id}/attachments/{attachment_id}")
    assert gone.status_code == 404


def test_an_upload_over_the_quota_is_refused_and_nothing_is_stored(backend, app, world, login):
    client = signed_in_client(app, login, world.users["owner"])
    evidence_id = world.draft_args["evidence_id"]
    before_keys = stored_keys()
    before_rows = db.session.scalars(select(Attachment.id)).all()
    app.config["UPLOAD_QUOTA_BYTES"] = len(PDF)  # the trainee already keeps some files

    response = client.post(
        f"/portfolio/evidence/{evidence_id}/attachments",
        data={"attachment": (io.BytesIO(PDF), "one too many.pdf")},
    )

    assert response.status_code == 200
    assert "file storage is left" in response.get_data(as_text=True)
    assert stored_keys() == before_keys
    assert db.session.scalars(select(Attachment.id)).all() == before_rows


def test_erasing_a_trainee_deletes_their_files_from_the_storage(backend, app, world, runner):
    owner = world.users["owner"]
    keys = set(
        db.session.scalars(
            select(Attachment.storage_key)
            .join(Evidence, Evidence.id == Attachment.evidence_id)
            .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
            .where(Enrolment.trainee_id == owner.id)
        )
    )
    keys.add(
        db.session.scalar(
            select(Qualification.certificate_storage_key).where(Qualification.user_id == owner.id)
        )
    )
    keys.discard(None)
    assert keys
    assert keys <= stored_keys()
    others = stored_keys() - keys

    result = runner.invoke(args=["users", "erase", "--email", owner.email, "--confirm"])

    assert result.exit_code == 0, result.output
    assert f"files deleted: {len(keys)}" in result.output
    assert stored_keys() == others


def test_a_csv_attachment_is_read_whole_and_sent_neutralised(backend, app, world, login):
    client = signed_in_client(app, login, world.users["owner"])
    evidence_id = world.draft_args["evidence_id"]
    client.post(
        f"/portfolio/evidence/{evidence_id}/attachments",
        data={"attachment": (io.BytesIO(b"a,=1+1\r\n"), "notes.csv")},
    )
    attachment = attachment_named("notes.csv")
    download = client.get(f"/portfolio/evidence/{evidence_id}/attachments/{attachment.id}")
    assert download.data == b'"a","\'=1+1"\r\n'
    assert filename(download) == "notes.csv"


def test_a_download_while_the_store_is_unreachable_says_so(
    app, world, login, s3_server, monkeypatch
):
    s3_server.apply(monkeypatch)
    monkeypatch.setitem(app.config, "STORAGE_URL", s3_server.storage_url())
    client = signed_in_client(app, login, world.users["owner"])
    evidence_id = world.draft_args["evidence_id"]
    client.post(
        f"/portfolio/evidence/{evidence_id}/attachments",
        data={"attachment": (io.BytesIO(PDF), "kept.pdf")},
    )
    attachment = attachment_named("kept.pdf")
    # The store moves to an address where nothing answers (a changed STORAGE_URL makes
    # the app build its storage again, reading the new endpoint).
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setitem(app.config, "STORAGE_URL", s3_server.storage_url())

    response = client.get(f"/portfolio/evidence/{evidence_id}/attachments/{attachment.id}")

    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "Files are not available at the moment" in text
    assert "Files cannot be fetched or saved just now. Nothing was changed." in text
