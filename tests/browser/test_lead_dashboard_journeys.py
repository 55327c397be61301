"""The cohort dashboard in Chromium: filter it, download the CSVs and the XLSX the browser
saves, open them and check them against the seeded cohort, then open a trainee's summary.

The seeded cohort is the dashboard tests' own (`seeded` in tests/lead/conftest.py, made
available here by tests/browser/conftest.py): Ada and Ben at
Harbour PCN, supervised by Sam Okafor; "=Cal Cliff" at Clifftop PCN. The filter keeps
Harbour PCN, so Cal must be in none of the files.
"""

from __future__ import annotations

import csv
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

HARBOUR = ["Ada Harbour", "Ben Harbour"]
COMPETENCIES = 20  # in the NCF as shipped


def _download(page, link_name: str, folder):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path


def _read_csv(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _sheet(workbook, name: str) -> list[dict[str, object]]:
    rows = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_lead_filters_the_dashboard_and_downloads_what_it_shows(
    page, seeded, lead, today, tmp_path
):
    sign_in(page, lead.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    assert_accessible(page, "lead-home")
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", name="Cohort dashboard", level=1)).to_be_visible()
    expect(page.locator("#trainee-count")).to_contain_text("3 trainees match")
    chart = page.get_by_role("img", name="Competencies signed off in Spring intake, by month")
    expect(chart).to_be_visible()
    assert_accessible(page, "lead-dashboard")

    page.get_by_label("Organisation").select_option(label="- Harbour PCN")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#trainee-count")).to_contain_text("2 trainees match the filters")
    expect(page.locator("#trainees tbody tr")).to_have_count(2)
    expect(page.locator("#trainees")).not_to_contain_text("Cal Cliff")
    expect(page.locator("#export-links")).to_be_visible()
    assert_accessible(page, "lead-dashboard-filtered")

    # One row per trainee, the filter applied.
    name, path = _download(page, "Progress, one row per trainee (CSV)", tmp_path)
    assert name == f"progress-{today.isoformat()}.csv"
    progress = _read_csv(path)
    assert [row["Trainee"] for row in progress] == HARBOUR
    ada, ben = progress
    assert (ada["Organisation"], ada["Cohort"], ada["Clinical supervisor"]) == (
        "Harbour Street Surgery",
        "Spring intake",
        "Sam Okafor",
    )
    assert (ada["Competencies signed off"], ada["Competencies in total"]) == ("1", "20")
    assert (ada["Evidence awaiting review"], ada["Registration status"]) == ("1", "Current")
    assert (ben["Competencies signed off"], ben["Registration status"]) == ("0", "Expired")

    # One row per trainee and competency: Ada's D1.1 is signed off by Sam Okafor.
    name, path = _download(page, "Competencies, one row per trainee and competency (CSV)", tmp_path)
    assert name == f"competencies-{today.isoformat()}.csv"
    competencies = _read_csv(path)
    assert len(competencies) == 2 * COMPETENCIES
    assert {row["Trainee"] for row in competencies} == set(HARBOUR)
    first = competencies[0]
    assert (first["Trainee"], first["Competency code"], first["Status"]) == (
        "Ada Harbour",
        "D1.1",
        "Signed off",
    )
    assert (first["Signed off by"], first["Signed off on"]) == ("Sam Okafor", today.isoformat())
    assert {row["Status"] for row in competencies if row["Trainee"] == "Ben Harbour"} == {
        "Not started"
    }

    # The spreadsheet holds both, with typed cells.
    name, path = _download(page, "Both, as a spreadsheet (XLSX)", tmp_path)
    assert name == f"progress-{today.isoformat()}.xlsx"
    workbook = load_workbook(path, read_only=True)
    try:
        assert workbook.sheetnames == ["Trainees", "Competencies"]
        trainees = _sheet(workbook, "Trainees")
        assert [row["Trainee"] for row in trainees] == HARBOUR
        assert trainees[0]["Competencies signed off"] == 1
        assert trainees[0]["Clinical supervisor"] == "Sam Okafor"
        start = trainees[0]["Start date"]
        assert isinstance(start, date)
        assert start.date() == date.fromisoformat(ada["Start date"])
        sheet = _sheet(workbook, "Competencies")
        assert len(sheet) == 2 * COMPETENCIES
        assert {row["Trainee"] for row in sheet} == set(HARBOUR)
        assert (sheet[0]["Competency code"], sheet[0]["Status"]) == ("D1.1", "Signed off")
    finally:
        workbook.close()

    page.get_by_role("link", name="Ada Harbour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress summary: Ada Harbour")
    assert_accessible(page, "lead-trainee-summary")


def test_filter_errors_are_announced_accessibly(page, seeded, lead):
    sign_in(page, lead.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    assert_accessible(page, "lead-home")
    page.goto("/lead/dashboard?cohort=99999")
    expect(page).to_have_title("Error: Cohort dashboard - PCPT Portfolio")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a cohort from the list")
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    assert_accessible(page, "lead-dashboard-errors")
