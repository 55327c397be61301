"""What leads see of the development plan: each trainee's stage and overdue objectives, on
the cohort dashboard and in the progress exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.services.accounts import api_tokens
from app.services.clock import uk_today
from app.services.development import stages
from app.services.reporting import progress_report
from tests.development.conftest import add_objective
from tests.supervision.conftest import soup


@pytest.fixture
def lead(make_user, org):
    return make_user(roles=("lead",), org=org.parent, name="Lee Lead")


@pytest.fixture
def plan(enrolment):
    """Intermediate since the training began; objectives due the day before yesterday and
    yesterday (overdue), today and tomorrow (not)."""
    today = uk_today()
    for days in (-2, -1, 0, 1):
        day = today + timedelta(days=days)
        add_objective(enrolment, target_on=day, today=min(day, today))
    stages.record_stage(
        enrolment,
        actor=enrolment.clinical_supervisor,
        stage="intermediate",
        started_on=enrolment.started_on,
        today=today,
    )
    db.session.commit()
    return enrolment


def test_the_report_row_carries_the_stage_and_the_overdue_count(plan, lead):
    (row,) = progress_report.build_report(lead, today=uk_today()).rows
    assert (row.pathway_stage, row.pathway_stage_since, row.overdue_objectives) == (
        "intermediate",
        plan.started_on,
        2,
    )


def test_a_trainee_with_no_plan_has_no_stage_and_nothing_overdue(enrolment, lead):
    (row,) = progress_report.build_report(lead, today=uk_today()).rows
    assert (row.pathway_stage, row.pathway_stage_since, row.overdue_objectives) == (None, None, 0)


def test_the_dashboard_shows_stage_and_overdue_objectives(plan, lead, signed_in):
    page = soup(signed_in(lead).get("/lead/dashboard"))
    headers = [th.get_text(" ", strip=True) for th in page.select("#trainees thead th")]
    assert headers[-2:] == ["Pathway stage", "Overdue objectives"]
    row = page.select_one(f'#trainees tr[data-enrolment="{plan.id}"]')
    stage = row.select_one('[data-column="stage"]').get_text(" ", strip=True)
    assert stage.startswith("Intermediate since")
    assert row.select_one('[data-column="overdue-objectives"]').get_text(strip=True) == "2"


def test_the_progress_csv_and_xlsx_carry_stage_and_overdue_objectives(plan, lead, signed_in):
    client = signed_in(lead)
    (row,) = csv.DictReader(io.StringIO(client.get("/lead/exports/progress.csv").text))
    assert row["Pathway stage"] == "Intermediate"
    assert row["Pathway stage since"] == plan.started_on.isoformat()
    assert row["Overdue objectives"] == "2"

    sheet = load_workbook(io.BytesIO(client.get("/lead/exports/progress.xlsx").data)).worksheets[0]
    header, values = ([cell.value for cell in r] for r in sheet.iter_rows(max_row=2))
    found = dict(zip(header, values, strict=True))
    assert found["Pathway stage"] == "Intermediate"
    assert found["Overdue objectives"] == 2


def test_the_api_progress_report_carries_stage_and_overdue_objectives(plan, lead, app):
    token = api_tokens.create_token(lead)
    db.session.commit()
    response = app.test_client().get(
        "/api/v1/reports/progress", headers={"Authorization": f"Bearer {token}"}
    )
    (item,) = response.get_json()["items"]
    assert (item["pathway_stage"], item["pathway_stage_since"], item["overdue_objectives"]) == (
        "intermediate",
        plan.started_on.isoformat(),
        2,
    )


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def test_the_trainee_summary_and_portfolio_pdf_name_the_stage(plan, lead, signed_in):
    client = signed_in(lead)
    page = soup(client.get(f"/lead/trainees/{plan.id}"))
    since = f"{plan.started_on.day} {plan.started_on:%B %Y}"
    assert page.select_one("#pathway-stage").get_text(strip=True) == f"Intermediate, since {since}"
    text = _pdf_text(client.get(f"/lead/trainees/{plan.id}/portfolio.pdf").data)
    assert f"Pathway stage Intermediate, since {since}" in text


def test_without_a_stage_the_summary_says_not_recorded(enrolment, lead, signed_in):
    page = soup(signed_in(lead).get(f"/lead/trainees/{enrolment.id}"))
    assert page.select_one("#pathway-stage").get_text(strip=True) == "Not recorded"
