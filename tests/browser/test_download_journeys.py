"""Every file a person can download, fetched in Chromium from gunicorn and opened.

A server sends a download's body after the request has ended, so these journeys run
against gunicorn (see `GunicornServer` in conftest.py): the portable record once failed
there with a 500 that the test client never showed. Each file is opened as its reader
would open it (unzipped, parsed as CSV, loaded by openpyxl, its PDF text read by pypdf,
its bytes compared) and its content checked.

The world: Priya Shah supervises two trainees at Riverside practice, under the North
Coast Training Hub where Leigh Lead is the education lead. Sam Okafor's training is
signed off as complete, with a file on an accepted item, a Level 3 certificate and a
pathway exemption letter stored; Robin Hale has an item with a file waiting for review.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.frameworks import Competency
from app.services.accounts import api_tokens
from app.services.pathway.programme_status import ProgrammeStatusChange, update_programme_status
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.content import uk_today
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.registration.qualifications import QualificationDetails
from app.services.registration.records import RegistrationDetails
from app.services.storage.documents import Upload
from app.services.supervision import completion, enrolments, reviews, signoffs
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import ROOT, import_framework_file
from tests.evidence.conftest import valid_answers

SMALL_FRAMEWORK = ROOT / "tests" / "supervision" / "frameworks" / "two-competencies.yaml"


def _pdf(label: str) -> bytes:
    """A distinct small PDF per file, so each download is compared with its own upload."""
    return b"%PDF-1.4\n% " + label.encode() + b"\n%%EOF\n"


INHALER_FILE = _pdf("Sam's inhaler technique notes")
CERTIFICATE = _pdf("Level 3 certificate of Sam Okafor")
EXEMPTION = _pdf("Exemption letter for Sam Okafor")
DISCHARGE_FILE = _pdf("Robin's discharge letter check")


@pytest.fixture
def world(app, make_org, make_user):
    hub = make_org("North Coast Training Hub", "training-hub")
    practice = make_org("Riverside practice", "practice", hub)
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000001", name="Priya Shah")
    lead = make_user(roles=("lead",), org=hub, name="Leigh Lead")
    sam = make_user(roles=("trainee",), org=practice, name="Sam Okafor")
    robin = make_user(roles=("trainee",), org=practice, name="Robin Hale")
    framework = import_framework_file(SMALL_FRAMEWORK)
    started = date(2025, 1, 6)
    done = enrolments.enrol(sam, framework, supervisor=supervisor, started_on=started)
    going = enrolments.enrol(robin, framework, supervisor=supervisor, started_on=started)
    db.session.commit()
    today = uk_today()
    files = {"upload_dir": app.config["UPLOAD_DIR"], "max_bytes": app.config["MAX_UPLOAD_BYTES"]}

    def log(enrolment, type_code, code, title, attachment=None):
        trainee = enrolment.trainee
        answers = valid_answers(type_code, title=title)
        item = evidence_service.create_draft(
            enrolment, type_code, answers, [(code, f"How this shows {code}")], actor=trainee
        )
        if attachment:
            name, content = attachment
            evidence_service.add_attachment(item, io.BytesIO(content), name, actor=trainee, **files)
        evidence_service.submit(item, actor=trainee)
        return item

    # Sam: both competencies signed off on accepted evidence, then the training completed.
    for code in ("B1", "B2"):
        for type_code in ("reflective-account", "observation"):
            attachment = ("inhaler technique.pdf", INHALER_FILE) if code == "B1" else None
            if type_code == "observation":
                attachment = None
            item = log(done, type_code, code, f"{code}: {type_code}", attachment)
            reviews.record_review(
                item,
                reviewer=supervisor,
                decision="accepted",
                comment="",
                version_number=item.current_version_number,
            )
        competency = db.session.scalar(
            select(Competency).where(
                Competency.framework_id == framework.id, Competency.code == code
            )
        )
        signoffs.sign_off(
            done,
            competency,
            outcome_code="competent",
            signer=supervisor,
            comment="Seen doing this well in clinic.",
            authenticated_at=utcnow(),
        )
    details = RegistrationDetails(
        "pharmacy-technician",
        "registered",
        "5000042",
        date(2024, 3, 1),
        today + timedelta(days=300),
    )
    row = registration.record_registration(sam, details, actor=sam)
    registration.verify_registration(sam, row.id, actor=supervisor, today=today)
    saved = qualifications.save_qualification(
        sam,
        QualificationDetails(
            kind="l3-diploma-principles-practice",
            status="achieved",
            awarding_body="City & Guilds",
            started_on=date(2022, 9, 1),
            achieved_on=date(2024, 1, 15),
        ),
        actor=sam,
        today=today,
        certificate=Upload(io.BytesIO(CERTIFICATE), "level 3 certificate.pdf"),
        **files,
    )
    qualifications.verify_qualification(sam, saved.qualification.id, actor=supervisor, today=today)
    update_programme_status(
        done,
        ProgrammeStatusChange("exempt", Decimal("1.0"), Decimal("0"), None, None),
        actor=lead,
        exemption_document=Upload(io.BytesIO(EXEMPTION), "exemption letter.pdf"),
        **files,
    )
    db.session.commit()
    completion.complete(done, signer=supervisor, authenticated_at=utcnow(), today=today)

    # Robin: one item with a file, waiting for Priya's review.
    token = api_tokens.create_token(lead, "Hub reporting")
    waiting = log(
        going,
        "reflective-account",
        "B1",
        "Discharge letter check",
        ("discharge letter.pdf", DISCHARGE_FILE),
    )
    db.session.commit()
    return {
        "sam": sam,
        "robin": robin,
        "supervisor": supervisor,
        "lead": lead,
        "completed": done,
        "waiting": waiting,
        "token": token,
        "today": today,
    }


def _download(page, link) -> tuple[str, bytes]:
    """Click a link as a person would and wait for the whole file."""
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.failure() is None, download.failure()
    return download.suggested_filename, Path(download.path()).read_bytes()


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_trainee_finds_their_record_and_opens_every_file_of_theirs(new_page, world):
    sam, today, done = world["sam"], world["today"], world["completed"]
    page = new_page()
    sign_in(page, sam.email)
    # The training is complete: the portfolio says so, read-only, and the record is here.
    expect(page.get_by_role("heading", level=1)).to_have_text("My portfolio")
    expect(page.locator("#enrolment-banner")).to_contain_text("Your portfolio is complete")
    assert_accessible(page, "download-trainee-home")
    page.get_by_role("link", name="Download your record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download your record")
    assert_accessible(page, "download-your-record")

    # --- The portable record: the ZIP, unzipped and read ------------------------------
    name, content = _download(page, page.get_by_role("link", name="Download your record (ZIP)"))
    assert name == f"pcpt-record-{sam.id}-{today.isoformat()}.zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    names = archive.namelist()
    portfolio = f"portfolio-supervision-test-1-{done.id}.pdf"
    assert names[:3] == ["README.txt", "record.json", portfolio]
    assert "pcpt-portable-record/v1" in archive.read("README.txt").decode()
    record = json.loads(archive.read("record.json"))
    assert record["schema"] == "pcpt-portable-record/v1"
    assert record["person"]["name"] == "Sam Okafor"
    assert record["person"]["organisation"] == "Riverside practice"
    assert record["registrations"][0]["number"] == "5000042"
    (enrolment,) = record["enrolments"]
    assert enrolment["status"] == "completed"
    assert enrolment["completion"]["signer"] == "Priya Shah"
    assert [s["competency"] for s in enrolment["sign_offs"]] == ["B1", "B2"]
    assert len(enrolment["evidence"]) == 4
    # Every file the record lists is in the ZIP with the digest the record gives.
    listed = [a for item in enrolment["evidence"] for a in item["attachments"]]
    listed += [record["qualification"]["certificate"]]
    listed += [enrolment["programme"]["exemption_document"]]
    expected = {
        "inhaler technique.pdf": INHALER_FILE,
        "level 3 certificate.pdf": CERTIFICATE,
        "exemption letter.pdf": EXEMPTION,
    }
    assert {f["original_filename"] for f in listed} == set(expected)
    for listed_file in listed:
        stored = archive.read(listed_file["file"])
        assert stored == expected[listed_file["original_filename"]]
        assert hashlib.sha256(stored).hexdigest() == listed_file["sha256"]
    text = _pdf_text(archive.read(portfolio))
    assert "Training portfolio: Sam Okafor" in text
    assert "B1 Explains how to use an inhaler" in text
    assert "Priya Shah" in text

    # --- The privacy page leads to the same place --------------------------------------
    page.get_by_role("link", name="Privacy and who can see your records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Privacy and who can see your records"
    )
    assert_accessible(page, "download-privacy")
    page.get_by_role("link", name="Download your record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download your record")

    # --- The file on an accepted item --------------------------------------------------
    item = next(i for i in enrolment["evidence"] if i["attachments"])
    page.goto(f"/portfolio/evidence/{item['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(item["title"])
    assert_accessible(page, "download-trainee-evidence")
    link = page.get_by_role("link", name="inhaler technique.pdf", exact=True)
    assert _download(page, link) == ("inhaler technique.pdf", INHALER_FILE)

    # --- The Level 3 certificate -------------------------------------------------------
    page.get_by_role("link", name="My registration").first.click()
    assert_accessible(page, "download-trainee-registration")
    link = page.get_by_role("link", name="Download level 3 certificate.pdf")
    assert _download(page, link) == ("level 3 certificate.pdf", CERTIFICATE)

    # --- The completion statement ------------------------------------------------------
    page.goto("/supervision/my-record")
    expect(page.get_by_role("heading", level=1)).to_have_text("My supervision record")
    assert_accessible(page, "download-trainee-supervision-record")
    link = page.get_by_role("link", name="Download the completion statement (text file)")
    name, content = _download(page, link)
    assert name == f"completion-statement-{done.id}.txt"
    statement = content.decode("utf-8")
    assert statement.startswith("PCPT Portfolio: statement of completed training")
    assert "Trainee:    Sam Okafor" in statement
    assert "Signed by:  Priya Shah, pharmacist, GPhC registration number 2000001" in statement
    assert "B1 Explains how to use an inhaler: Competent" in statement


def test_a_supervisor_and_a_lead_open_every_file_they_can_reach(new_page, live_server, world):
    today, done = world["today"], world["completed"]

    # --- The supervisor: the file on an item waiting for review --------------------------
    reviewer = new_page()
    sign_in(reviewer, world["supervisor"].email)
    assert_accessible(reviewer, "download-supervisor-home")
    reviewer.locator("#review-queue").get_by_role("link", name="Discharge letter check").click()
    expect(reviewer.locator("#evidence-status")).to_contain_text("Waiting for review")
    assert_accessible(reviewer, "download-supervisor-review")
    link = reviewer.get_by_role("link", name="discharge letter.pdf", exact=True)
    assert _download(reviewer, link) == ("discharge letter.pdf", DISCHARGE_FILE)

    # --- The lead: the dashboard's PDF, a trainee's portfolio, Sam's documents ----------
    page = new_page()
    sign_in(page, world["lead"].email)
    assert_accessible(page, "download-lead-home")
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.locator("#trainee-count")).to_contain_text("1 trainee")
    assert_accessible(page, "download-lead-dashboard")
    name, content = _download(page, page.get_by_role("link", name="One-page cohort summary (PDF)"))
    assert name == f"cohort-summary-{today.isoformat()}.pdf"
    text = _pdf_text(content)
    assert "Robin Hale" in text
    assert "Sam Okafor" not in text, "completed training is not in the cohort report"

    page.get_by_role("link", name="Robin Hale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress summary: Robin Hale")
    assert_accessible(page, "download-lead-trainee-summary")
    name, content = _download(page, page.get_by_role("link", name="Download this portfolio (PDF)"))
    assert name == f"portfolio-robin-hale-{today.isoformat()}.pdf"
    text = _pdf_text(content)
    assert "Training portfolio: Robin Hale" in text
    assert "Priya Shah" in text

    page.goto(f"/registration/people/{world['sam'].id}")
    assert_accessible(page, "download-lead-person")
    link = page.get_by_role("link", name="Download level 3 certificate.pdf")
    assert _download(page, link) == ("level 3 certificate.pdf", CERTIFICATE)
    page.goto(f"/registration/enrolments/{done.id}/programme")
    assert_accessible(page, "download-lead-programme")
    link = page.get_by_role("link", name="exemption letter.pdf")
    assert _download(page, link) == ("exemption letter.pdf", EXEMPTION)

    page.goto(f"/supervision/enrolments/{done.id}")
    assert_accessible(page, "download-lead-supervision-record")
    link = page.get_by_role("link", name="Download the completion statement (text file)")
    name, content = _download(page, link)
    assert "Trainee:    Sam Okafor" in content.decode("utf-8")

    # --- The lead's API: the progress report as JSON, CSV and XLSX -----------------------
    api = page.context.request
    headers = {"Authorization": f"Bearer {world['token']}"}
    report = f"{live_server.url}/api/v1/reports/progress"
    reply = api.get(report, headers=headers)
    assert reply.status == 200
    assert [row["name"] for row in reply.json()["items"]] == ["Robin Hale"]
    reply = api.get(f"{report}?format=csv", headers=headers)
    assert reply.status == 200
    rows = list(csv.DictReader(io.StringIO(reply.text())))
    assert [(row["Trainee"], row["Clinical supervisor"]) for row in rows] == [
        ("Robin Hale", "Priya Shah")
    ]
    reply = api.get(f"{report}?format=xlsx", headers=headers)
    assert reply.status == 200
    workbook = load_workbook(io.BytesIO(reply.body()), read_only=True)
    try:
        trainees = list(workbook["Trainees"].iter_rows(values_only=True))
        assert trainees[0][0] == "Trainee"
        assert [row[0] for row in trainees[1:]] == ["Robin Hale"]
    finally:
        workbook.close()
