"""A provisional framework version never passes as official: every statement a signer or a
reader outside the product sees names it with the words `framework_label` gives, and a
published version is named without them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models.frameworks import Framework
from app.services.accounts import api_tokens
from app.services.frameworks.labels import PROVISIONAL_WORDING, FrameworkName, framework_label
from app.services.privacy.portable_record import json_default, portable_record
from app.services.reporting import csv_export, pdf_export
from app.services.reporting.progress_report import build_report
from app.services.reporting.scope import ReportFilters
from app.services.reporting.trainee_summary import trainee_summary
from app.services.supervision import completion
from tests.conftest import import_framework_file
from tests.supervision.conftest import HERE, fresh, soup, text_of

TODAY = datetime.now(UTC).date()
PROVISIONAL = "Supervision test framework (version 1, provisional draft: not the official wording)"
PUBLISHED = "Supervision test framework (version 1)"


def test_a_provisional_version_is_named_with_the_words_that_say_so():
    assert framework_label(FrameworkName("NCF", "3", "provisional")) == (
        "NCF (version 3, provisional draft: not the official wording)"
    )


def test_a_published_version_is_named_by_title_and_version_alone():
    assert framework_label(FrameworkName("NCF", "3", "published")) == "NCF (version 3)"


@pytest.fixture(params=["provisional", "published"])
def status(request) -> str:
    return request.param


@pytest.fixture
def expected(status) -> str:
    return PROVISIONAL if status == "provisional" else PUBLISHED


@pytest.fixture
def framework_of_status(app, status, tmp_path: Path) -> Framework:
    text = (HERE / "frameworks" / "two-competencies.yaml").read_text()
    path = tmp_path / "framework.yaml"
    path.write_text(text.replace("status: provisional", f"status: {status}"))
    return import_framework_file(path)


@pytest.fixture
def enrolled(enrol, trainee, framework_of_status):
    return enrol(trainee, framework_of_status)


@pytest.fixture
def completed(enrolled, ready, sign, registered, qualified, trainee):
    for code in ("B1", "B2"):
        ready(enrolled, code)
        sign(enrolled, code)
    registered(trainee)
    qualified(trainee)
    record = completion.complete(
        enrolled, signer=enrolled.clinical_supervisor, authenticated_at=fresh(), today=TODAY
    )
    db.session.commit()
    return record


@pytest.fixture
def lead(make_user, org):
    return make_user(roles=("lead",), org=org.parent, name="Lena Lead")


def says_provisional(text: str) -> bool:
    return PROVISIONAL_WORDING in text


def test_the_sign_off_declaration_names_the_version(enrolled, ready, sign, expected, status):
    ready(enrolled, "B1")
    record = sign(enrolled, "B1")
    assert record.statement.endswith(f"The competency is from the {expected}.")
    assert says_provisional(record.statement) == (status == "provisional")


def test_the_sign_off_page_shows_the_declaration_with_the_version(
    app, login, supervisor, enrolled, ready, expected, status
):
    ready(enrolled, "B1")
    client = app.test_client()
    login(client, supervisor)
    competency_id = next(
        c.id for d in enrolled.framework.domains for c in d.competencies if c.code == "B1"
    )
    page = soup(
        client.get(f"/supervision/enrolments/{enrolled.id}/competencies/{competency_id}/sign-off")
    )
    declaration = text_of(page, "#declaration")
    assert expected in declaration
    assert says_provisional(declaration) == (status == "provisional")


def test_the_completion_statement_names_the_version(completed, expected, status):
    text = completion.statement_text(completed)
    assert completed.framework_label == expected
    assert f"Framework:  {expected}\n" in text
    assert f"completed their training against the {expected}:" in text
    assert says_provisional(text) == (status == "provisional")


def test_the_portfolio_pdf_names_the_version(enrolled, expected, status):
    content = pdf_export.trainee_portfolio_pdf(trainee_summary(enrolled, TODAY), generated_on=TODAY)
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    assert expected in text
    assert says_provisional(text) == (status == "provisional")


def test_the_cohort_pdf_names_the_version(enrolled, lead, expected, status):
    content = pdf_export.cohort_summary_pdf(
        build_report(lead, ReportFilters(), today=TODAY), scope_label="Hub", filters_label=""
    )
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    assert f"Framework: {expected}." in text
    assert says_provisional(text) == (status == "provisional")


def test_the_portable_record_gives_the_status_and_the_label(
    app, enrolled, trainee, expected, status
):
    record, _ = portable_record(
        trainee, upload_dir=app.config["UPLOAD_DIR"], generated_at=datetime.now(UTC)
    )
    framework = json.loads(json.dumps(record, default=json_default))["enrolments"][0]["framework"]
    assert (framework["status"], framework["label"]) == (status, expected)


def _csv(chunks) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))


def test_both_csv_exports_name_the_version_in_their_framework_column(enrolled, lead, expected):
    (wide,) = _csv(csv_export.progress_csv(lead, ReportFilters(), today=TODAY))
    assert "Framework" in wide
    assert wide["Framework"] == expected
    long = _csv(csv_export.competencies_csv(lead, ReportFilters(), today=TODAY))
    assert {row["Framework"] for row in long} == {expected}


def test_the_api_gives_the_enrolment_framework_status_and_label(
    app, lead, enrolled, expected, status
):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_tokens.create_token(lead, 'tests')}"}
    db.session.commit()
    detail = client.get(f"/api/v1/trainees/{enrolled.trainee_id}", headers=headers).get_json()
    enrolment = detail["enrolment"]
    assert (enrolment["framework_status"], enrolment["framework_label"]) == (status, expected)
    report = client.get("/api/v1/reports/progress", headers=headers).get_json()
    assert [row["framework_label"] for row in report["items"]] == [expected]
    listed = client.get("/api/v1/frameworks", headers=headers).get_json()["items"]
    assert [(f["status"], f["label"]) for f in listed] == [(status, expected)]
