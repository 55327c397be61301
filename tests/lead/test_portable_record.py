"""The trainee's portable record: a streamed ZIP of everything held about them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from app.models.base import utcnow
from app.services.privacy.portable_record import SCHEMA, portable_record
from app.services.privacy.record_archive import archive_chunks, record_archive


@pytest.fixture
def as_user(app, login):
    def signed_in(user):
        client = app.test_client()
        login(client, user)
        return client

    return signed_in


@pytest.fixture
def ada_archive(seeded, attach_file, as_user):
    from sqlalchemy import select

    from app.extensions import db
    from app.models.evidence import Evidence

    ada, enrolment = seeded["ada"]
    draft = db.session.scalar(
        select(Evidence).where(
            Evidence.enrolment_id == enrolment.id, Evidence.title == "Private draft thoughts"
        )
    )
    attachment = attach_file(draft, "care plan.pdf", b"%PDF-1.4\n% Ada's notes\n%%EOF\n")
    response = as_user(ada).get("/portfolio/record.zip")
    assert response.status_code == 200
    return response, zipfile.ZipFile(io.BytesIO(response.data)), attachment


def test_the_record_page_explains_the_download(seeded, as_user):
    ada, _ = seeded["ada"]
    response = as_user(ada).get("/portfolio/record")
    assert response.status_code == 200
    assert b"subject access request" in response.data
    assert b'href="/portfolio/record.zip"' in response.data


def test_a_trainee_finds_download_your_record_on_their_home_and_the_privacy_page(
    seeded, make_user, harbour_practice, as_user, client
):
    ada, _ = seeded["ada"]
    not_enrolled = make_user(roles=("trainee",), org=harbour_practice, name="Nia New")
    link = b'<a href="/portfolio/record">Download your record</a>'
    assert link in as_user(ada).get("/portfolio/", follow_redirects=True).data
    assert link in as_user(not_enrolled).get("/portfolio/", follow_redirects=True).data
    assert link in client.get("/privacy").data


def test_the_privacy_page_offers_the_download_only_to_those_who_can_have_it(
    supervisor, lead, as_user
):
    """Only trainees have a record to download: anyone else would get a 403 from the link."""
    for person in (supervisor, lead):
        page = as_user(person).get("/privacy").get_data(as_text=True)
        assert "Get a copy of your record" in page
        assert 'href="/portfolio/record"' not in page


def test_the_zip_holds_the_json_the_pdf_the_attachments_and_a_readme(ada_archive):
    response, archive, _ = ada_archive
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pcpt-record-')
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[:2] == ["README.txt", "record.json"]
    assert any(n.startswith("portfolio-ncf-pcpt-3-") and n.endswith(".pdf") for n in names)
    assert any(n.endswith("/care plan.pdf") for n in names)


def test_the_json_follows_the_documented_schema_and_includes_drafts(ada_archive, today):
    _, archive, _ = ada_archive
    record = json.loads(archive.read("record.json"))
    assert record["schema"] == SCHEMA
    assert record["person"]["name"] == "Ada Harbour"
    assert record["registrations"][-1]["number"] == "5012345"
    assert record["qualification"]["status"] == "achieved"
    (enrolment,) = record["enrolments"]
    assert enrolment["framework"] == {
        "id": "ncf-pcpt",
        "version": "3",
        "title": enrolment["framework"]["title"],
        "status": "provisional",
        "label": f"{enrolment['framework']['title']} (version 3, provisional draft: not the "
        "official wording)",
    }
    statuses = {c["id"]: c["status"] for c in enrolment["competencies"]}
    assert statuses["D1.1"] == "signed_off"
    titles = {e["title"]: e["status"] for e in enrolment["evidence"]}
    assert titles["Private draft thoughts"] == "draft"
    assert titles["Audit of repeats"] == "accepted"
    assert enrolment["sign_offs"][0]["signer"] == "Sam Okafor"
    assert enrolment["supervision_sessions"][0]["held_on"] == today.isoformat()
    assert {"kind", "text", "created_at", "read_at"} <= set(record["notifications"][0])
    assert record["actions"], "the person's own audited actions are listed"


def test_every_listed_file_is_in_the_zip_with_the_recorded_digest(ada_archive):
    _, archive, attachment = ada_archive
    record = json.loads(archive.read("record.json"))
    files = [a for e in record["enrolments"][0]["evidence"] for a in e["attachments"]]
    assert len(files) == 1
    listed = files[0]
    assert listed["sha256"] == attachment.sha256
    assert hashlib.sha256(archive.read(listed["file"])).hexdigest() == attachment.sha256


def test_the_pdf_in_the_zip_is_the_portfolio(ada_archive):
    _, archive, _ = ada_archive
    name = next(n for n in archive.namelist() if n.endswith(".pdf") and n.startswith("portfolio"))
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(archive.read(name))).pages
    )
    assert "Training portfolio: Ada Harbour" in text
    assert "Private draft thoughts" not in text


def test_a_trainee_gets_only_their_own_record(seeded, as_user):
    ben, _ = seeded["ben"]
    archive = zipfile.ZipFile(io.BytesIO(as_user(ben).get("/portfolio/record.zip").data))
    text = archive.read("record.json").decode()
    assert "Ben Harbour" in text
    assert "Ada Harbour" not in text
    assert "Audit of repeats" not in text


@pytest.mark.parametrize(
    ("old", "new"),
    [("/lead/my-record", "/portfolio/record"), ("/lead/my-record.zip", "/portfolio/record.zip")],
)
def test_the_records_old_addresses_redirect_to_the_trainees_area(seeded, as_user, old, new):
    ada, _ = seeded["ada"]
    response = as_user(ada).get(old)
    assert response.status_code == 308
    assert response.headers["Location"] == new


@pytest.mark.parametrize("who", ["lead", "supervisor"])
def test_only_trainees_download_a_portable_record(seeded, lead, supervisor, as_user, who):
    client = as_user({"lead": lead, "supervisor": supervisor}[who])
    assert client.get("/portfolio/record.zip").status_code == 403


def test_the_zip_streams_in_chunks(seeded, attach_file, as_user, app):
    ada, enrolment = seeded["ada"]
    from sqlalchemy import select

    from app.extensions import db
    from app.models.evidence import Evidence

    item = db.session.scalars(select(Evidence).where(Evidence.enrolment_id == enrolment.id)).first()
    attach_file(item, "big.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 2048 + b"\n%%EOF\n")
    response = as_user(ada).get("/portfolio/record.zip", buffered=False)
    chunks = list(response.response)
    response.close()
    assert len(chunks) > 3
    assert chunks[0].startswith(b"PK")


def test_the_zip_is_written_from_what_was_read_before_the_download_started(
    seeded, attach_file, app, today
):
    """A server sends the body after the request's database session is gone: writing the
    ZIP reads only the snapshot and the stored files, never the database."""
    ada, enrolment = seeded["ada"]
    from sqlalchemy import event, select

    from app.extensions import db
    from app.models.evidence import Evidence

    item = db.session.scalars(select(Evidence).where(Evidence.enrolment_id == enrolment.id)).first()
    attach_file(item, "ward round.pdf", b"%PDF-1.4\n% ward round\n%%EOF\n")
    archive = record_archive(ada, upload_dir=app.config["UPLOAD_DIR"], now=utcnow(), today=today)
    db.session.remove()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the ZIP was written with a database query")

    event.listen(db.engine, "before_cursor_execute", refuse)
    try:
        data = b"".join(archive_chunks(archive))
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse)
    written = zipfile.ZipFile(io.BytesIO(data))
    assert archive.filename == f"pcpt-record-{ada.id}-{today.isoformat()}.zip"
    assert (
        json.loads(written.read("record.json"))["person"]["organisation"]
        == "Harbour Street Surgery"
    )
    assert any(n.endswith("/ward round.pdf") for n in written.namelist())


def test_a_missing_stored_file_is_listed_as_missing(seeded, attach_file, app):
    ada, enrolment = seeded["ada"]
    from sqlalchemy import select

    from app.extensions import db
    from app.models.evidence import Evidence
    from app.services.portfolio.attachments import stored_path

    item = db.session.scalars(select(Evidence).where(Evidence.enrolment_id == enrolment.id)).first()
    attachment = attach_file(item)
    stored_path(app.config["UPLOAD_DIR"], attachment.storage_key).unlink()
    record, files = portable_record(ada, upload_dir=app.config["UPLOAD_DIR"], generated_at=utcnow())
    listed = [a for e in record["enrolments"][0]["evidence"] for a in e["attachments"]]
    assert listed[0]["missing"] is True
    assert listed[0]["file"] is None
    assert files == []
