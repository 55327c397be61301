"""Files on evidence through the pages: real uploads checked by content and size, stored
under generated names, and downloaded only as attachments with a safe name."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from app.extensions import db
from app.models.evidence import Attachment, Evidence
from tests.trainee.conftest import (
    HTML_PAGE,
    MINIMAL_PDF,
    banner,
    error_summary,
    evidence_form,
    inline_error,
    soup,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Evidence.id))),
        db.session.scalar(select(func.count(Attachment.id))),
    )


def add_with_file(client, content: bytes, filename: str):
    data = evidence_form("reflective-account", ["D1.1"])
    data["attachment"] = (io.BytesIO(content), filename)
    return client.post("/portfolio/evidence/new/reflective-account", data=data)


def test_a_pdf_is_stored_under_a_generated_name_and_downloads_as_an_attachment(
    client, app, signed_in_trainee
):
    response = add_with_file(client, MINIMAL_PDF, "Supervision notes.pdf")
    page = soup(client.get(response.headers["Location"]))
    link = page.find("a", string="Supervision notes.pdf")
    attachment = db.session.scalars(select(Attachment)).one()
    assert [p.name for p in stored_files(app)] == [attachment.storage_key]
    assert attachment.sha256
    assert attachment.media_type == "application/pdf"

    download = client.get(link["href"])
    assert download.status_code == 200
    assert download.data == MINIMAL_PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download_name(download) == "Supervision notes.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]


def test_a_pdf_that_is_really_html_is_refused_and_nothing_is_kept(client, app, signed_in_trainee):
    response = add_with_file(client, HTML_PAGE, "report.pdf")
    assert response.status_code == 200
    page = soup(response)
    message = (
        "This type of file cannot be attached. Attach PDF, PNG, JPEG or GIF images, "
        "Word, Excel or OpenDocument files, or plain text"
    )
    assert error_summary(page) == [(message, "#attachment")]
    assert inline_error(page, "attachment") == message
    assert "Choose your file again" in page.get_text()
    assert counts() == (0, 0)
    assert stored_files(app) == []


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 50, "tool.exe", "This type of file cannot"),
        (HTML_PAGE, "page.html", "This type of file cannot be attached"),
        (b"", "empty.txt", "The file is empty"),
        (PNG, "photo.pdf", "ends .pdf but its content is not that type of file"),
    ],
)
def test_files_of_the_wrong_type_are_refused_on_the_file_field(
    client, app, signed_in_trainee, content, filename, message
):
    page = soup(add_with_file(client, content, filename))
    assert message in inline_error(page, "attachment")
    assert counts() == (0, 0)
    assert stored_files(app) == []


def download_name(response) -> str:
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\notes.pdf",
        "../..",
        '../evil"; filename="x.html.pdf',
        "/absolute/path/report.PDF",
        "notes\x07\x1b[2J.pdf",
    ],
)
def test_a_filename_with_a_path_is_stored_safely_and_downloads_with_a_safe_name(
    client, app, signed_in_trainee, filename
):
    response = add_with_file(client, MINIMAL_PDF, filename)
    assert response.status_code == 302, error_summary(soup(response))
    page = soup(client.get(response.headers["Location"]))
    name = db.session.scalars(select(Attachment)).one().original_filename
    assert name.endswith(".pdf")
    assert not any(part in name for part in ("/", "\\", "..", '"', "\r", "\n", ";"))
    # The file sits inside the upload directory under its generated key, nowhere else.
    root = Path(app.config["UPLOAD_DIR"]).resolve()
    assert [p.resolve().parent.parent for p in stored_files(app)] == [root]
    download = client.get(page.find("a", string=name)["href"])
    assert download_name(download) == name


def test_a_path_in_a_filename_is_dropped_down_to_the_name(client, signed_in_trainee):
    response = add_with_file(client, MINIMAL_PDF, "../../etc/passwd.pdf")
    page = soup(client.get(response.headers["Location"]))
    download = client.get(page.find("a", string="passwd.pdf")["href"])
    assert download_name(download) == "passwd.pdf"


def test_a_file_just_over_the_limit_is_refused_on_its_field(
    client, app, signed_in_trainee, small_uploads
):
    too_big = MINIMAL_PDF + b"%" * small_uploads
    page = soup(add_with_file(client, too_big, "big.pdf"))
    assert inline_error(page, "attachment") == "The file must be 2 KB or smaller"
    assert page.title.get_text().startswith("Error: ")
    assert counts() == (0, 0)
    assert stored_files(app) == []


def test_a_request_far_over_the_limit_gets_a_page_that_explains(
    client, app, signed_in_trainee, small_uploads
):
    huge = MINIMAL_PDF + b"%" * (100 * 1024)
    response = add_with_file(client, huge, "huge.pdf")
    assert response.status_code == 413
    page = soup(response)
    assert page.h1.get_text(strip=True) == "The file is too large"
    assert "Files must be 2 KB or smaller. Nothing you sent was saved." in page.get_text()
    back = page.find("a", string="Go back and choose a smaller file")
    assert back["href"] == "/portfolio/evidence/new/reflective-account"
    assert counts() == (0, 0)


def test_attaching_to_submitted_evidence_makes_a_new_draft_version(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    detail = soup(client.get(f"/portfolio/evidence/{item.id}"))
    form = detail.find("input", attrs={"type": "file"}).find_parent("form")
    assert form["enctype"] == "multipart/form-data"
    assert "Attaching a file saves a new version as a draft" in form.get_text()
    response = client.post(form["action"], data={"attachment": (io.BytesIO(PNG), "whiteboard.png")})
    page = soup(client.get(response.headers["Location"]))
    assert "whiteboard.png is attached. It is part of version 2, a draft" in banner(page)
    history = page.select("ol[aria-labelledby=versions] > li")
    assert "Changed: attached files." in history[0].get_text(" ", strip=True)
    # The version the supervisor saw still has no file.
    old = soup(client.get(f"/portfolio/evidence/{item.id}/versions/1"))
    assert "No files attached." in old.get_text()


def test_the_attach_form_without_a_file_asks_for_one(
    client, signed_in_trainee, enrolment, log_evidence
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    response = client.post(f"/portfolio/evidence/{item.id}/attachments", data={})
    assert response.status_code == 200
    assert inline_error(soup(response), "attachment") == "Choose a file to attach"


def test_a_far_too_big_file_on_the_evidence_page_leads_back_to_it(
    client, signed_in_trainee, enrolment, log_evidence, small_uploads
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    response = client.post(
        f"/portfolio/evidence/{item.id}/attachments",
        data={"attachment": (io.BytesIO(b"%PDF-" + b"0" * 100_000), "big.pdf")},
    )
    assert response.status_code == 413
    back = soup(response).find("a", string="Go back and choose a smaller file")
    assert back["href"] == f"/portfolio/evidence/{item.id}"


def test_deleting_a_draft_removes_its_files_from_disk(client, app, signed_in_trainee):
    response = add_with_file(client, MINIMAL_PDF, "draft.pdf")
    evidence_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert len(stored_files(app)) == 1
    client.post(f"/portfolio/evidence/{evidence_id}/delete")
    assert stored_files(app) == []
    assert counts() == (0, 0)


def test_an_attachment_is_found_only_under_its_own_evidence(
    client, signed_in_trainee, enrolment, log_evidence
):
    first = add_with_file(client, MINIMAL_PDF, "one.pdf")
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    other = log_evidence(enrolment, "reflective-account", ["D1.1"])
    attachment = db.session.scalars(select(Attachment)).one()
    assert (
        client.get(f"/portfolio/evidence/{first_id}/attachments/{attachment.id}").status_code == 200
    )
    wrong = f"/portfolio/evidence/{other.id}/attachments/{attachment.id}"
    assert client.get(wrong).status_code == 404
    assert client.get(f"/portfolio/evidence/{first_id}/attachments/999").status_code == 404


def test_a_stored_file_missing_from_disk_is_not_found(client, app, signed_in_trainee):
    response = add_with_file(client, MINIMAL_PDF, "gone.pdf")
    for path in stored_files(app):
        path.unlink()
    page = soup(client.get(response.headers["Location"]))
    assert client.get(page.find("a", string="gone.pdf")["href"]).status_code == 404
