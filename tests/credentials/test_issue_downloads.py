"""The technician owns the credential: a .json download from the record, the portable
record's ZIP, a QR code on the PDF completion statement, and the API."""

# The supervision fixtures are imported by name; pytest passes them in as arguments.

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime

from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCodeWidget

from app.extensions import db
from app.models.base import utcnow
from app.services.accounts import api_tokens
from app.services.credentials import keys, proofs, statement_pdf
from app.services.privacy.record_archive import archive_chunks, record_archive
from app.services.supervision import completion
from tests.credentials.completed_training import *  # noqa: F403 - fixtures: completed, issued...

TODAY = datetime.now(UTC).date()


def _bearer(user) -> dict[str, str]:
    token = api_tokens.create_token(user, "credentials tests")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


# --- The .json download ----------------------------------------------------------------


def test_the_trainee_downloads_the_credential_exactly_as_signed(
    client, login, trainee, completed, issued
):
    login(client, trainee)
    record = client.get(f"/supervision/enrolments/{completed.id}")
    assert b"Download the Open Badges credential (JSON file)" in record.data
    response = client.get(f"/supervision/enrolments/{completed.id}/open-badge-credential.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert f"open-badge-credential-{completed.id}.json" in response.headers["Content-Disposition"]
    assert response.data.decode() == issued.document
    downloaded = json.loads(response.data)
    assert downloaded["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert proofs.check_proof(downloaded, keys.trusted_key).valid


def test_before_completion_there_is_nothing_to_download(client, login, trainee, enrolment):
    login(client, trainee)
    response = client.get(f"/supervision/enrolments/{enrolment.id}/open-badge-credential.json")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert b"There is no credential yet" in page.data
    assert b"Download the Open Badges credential" not in page.data


# --- The PDF statement's QR code -------------------------------------------------------


def test_the_pdf_statement_carries_a_qr_code_and_link_to_the_credential(
    client, login, trainee, completed, issued
):
    login(client, trainee)
    response = client.get(f"/supervision/enrolments/{completed.id}/completion-statement.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    address = f"http://127.0.0.1:5000/credentials/{issued.public_id}"
    reader = PdfReader(io.BytesIO(response.data))
    # Words as read back, whatever the line breaks.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "PCPT Portfolio: statement of completed training" in text
    assert "Sam Okafor" in text
    assert "B1 Explains how to use an inhaler: Competent" in text
    # A long address may wrap onto a second line of the page.
    assert address in "".join(text.split())
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    ]
    assert links == [address]
    # The QR code is drawn as vector squares: read them back from the page and compare
    # them with the matrix that encodes the address.
    drawing = statement_pdf.qr_drawing(address)
    [widget] = [shape for shape in drawing.contents if isinstance(shape, QrCodeWidget)]
    assert widget.value == address
    content = b"".join(page.get_contents().get_data() for page in reader.pages).decode()
    assert _drawn_modules(content) == _normalised(_modules(address))


def _modules(address: str) -> set[tuple[int, int]]:
    """The dark modules (row, column) of the QR code ReportLab's encoder makes (level M)."""
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(address)
    code.make()
    size = code.getModuleCount()
    return {(r, c) for r in range(size) for c in range(size) if code.isDark(r, c)}


def _drawn_modules(content: str) -> set[tuple[int, int]]:
    """The dark modules the page fills: black rectangles one module high (runs of modules
    in a row are drawn as one rectangle), rows counted from the top."""
    rects = [
        tuple(float(n) for n in found)
        for found in re.findall(r"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re f\*", content)
    ]
    module = min(h for _x, _y, _w, h in rects)
    cells = set()
    for x, y, w, h in rects:
        assert abs(h - module) < 1e-3, "only QR modules are filled rectangles on this page"
        first, row = round(x / module), round(y / module)
        cells |= {(-row, first + i) for i in range(round(w / module))}
    return _normalised(cells)


def _normalised(cells: set[tuple[int, int]]) -> set[tuple[int, int]]:
    top, left = min(r for r, _ in cells), min(c for _, c in cells)
    return {(r - top, c - left) for r, c in cells}


def test_a_statement_without_credential_has_no_qr_code(app, completed, issued):
    record = completion.completion_for(completed.id)
    reader = PdfReader(io.BytesIO(statement_pdf.statement_pdf(record, None)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Open Badges" not in text
    assert all("/Annots" not in page for page in reader.pages)


# --- The portable record ---------------------------------------------------------------


def test_the_portable_record_zip_holds_the_credential_file(app, trainee, completed, issued):
    archive = record_archive(
        trainee, upload_dir=app.config["UPLOAD_DIR"], now=utcnow(), today=TODAY
    )
    written = zipfile.ZipFile(io.BytesIO(b"".join(archive_chunks(archive))))
    name = f"credentials/open-badge-credential-{completed.id}.json"
    assert written.read(name).decode() == issued.document
    assert b"credentials/" in written.read("README.txt")
    [entry] = json.loads(written.read("record.json"))["enrolments"]
    assert entry["credential"]["file"] == name
    assert entry["credential"]["credential"] == json.loads(issued.document)
    assert entry["credential"]["status_list_index"] == issued.status_list_index


# --- The API ---------------------------------------------------------------------------


def test_the_api_lists_the_trainees_credentials(client, trainee, supervisor, completed, issued):
    for user in (trainee, supervisor):
        response = client.get(f"/api/v1/trainees/{trainee.id}/credentials", headers=_bearer(user))
        assert response.status_code == 200
        [item] = response.json["items"]
        assert item["id"] == f"http://127.0.0.1:5000/credentials/{issued.public_id}"
        assert item["enrolment_id"] == completed.id
        assert item["framework"] == {
            "id": "supervision-test",
            "version": "1",
            "status": "provisional",
            "label": item["framework"]["label"],
        }
        assert "provisional" in item["framework"]["label"]
        assert item["revoked"] is False
        assert item["revoked_at"] is None
        assert item["status_list_index"] == issued.status_list_index
        assert item["download_url"] == (
            f"http://127.0.0.1:5000/supervision/enrolments/{completed.id}/open-badge-credential.json"
        )
        assert item["credential"] == json.loads(issued.document)
        assert proofs.check_proof(item["credential"], keys.trusted_key).valid


def test_the_api_answers_an_empty_list_before_completion(client, trainee, enrolment):
    response = client.get(f"/api/v1/trainees/{trainee.id}/credentials", headers=_bearer(trainee))
    assert response.status_code == 200
    assert response.json == {"items": []}


def test_the_api_hides_another_trainees_credentials(client, make_user, org, completed, trainee):
    stranger = make_user(roles=("trainee",), org=org, name="Kit Marlowe")
    response = client.get(f"/api/v1/trainees/{trainee.id}/credentials", headers=_bearer(stranger))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_the_openapi_document_describes_the_route(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/trainees/{trainee_id}/credentials"]["get"]
    assert "200" in operation["responses"]
    assert "404" in operation["responses"]
