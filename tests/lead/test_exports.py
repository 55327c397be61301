"""Exports: CSV (wide and long), XLSX and PDF, checked cell by cell on the seeded cohort;
formula neutralisation; scope; streaming; flat memory."""

from __future__ import annotations

import csv
import gc
import io
import tracemalloc
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.services.reporting import competency_report, export_columns, progress_report
from app.services.reporting import csv_export as exports_csv
from app.services.reporting.flags import report_thresholds
from app.services.reporting.scope import ReportFilters


@pytest.fixture
def as_user(app, login):
    def signed_in(user):
        client = app.test_client()
        login(client, user)
        return client

    return signed_in


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff"), "no byte-order mark"
    return list(csv.DictReader(io.StringIO(text)))


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


# --- CSV ----------------------------------------------------------------------------------


def test_the_wide_csv_has_one_row_per_trainee_checked_cell_by_cell(seeded, lead, as_user, today):
    response = as_user(lead).get("/lead/exports/progress.csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="progress-{today.isoformat()}.csv"'
    )
    rows = _csv(response)
    assert [r["Trainee"] for r in rows] == ["'=Cal Cliff", "Ada Harbour", "Ben Harbour"]
    ada = rows[1]
    expected = {
        "Email": "ada@example.org",
        "GPhC number": "5012345",
        "Organisation": "Harbour Street Surgery",
        "Cohort": "Spring intake",
        "Clinical supervisor": "Sam Okafor",
        "Education supervisor": "",
        "D1 Multidisciplinary Team Working: signed off": "1",
        "D1 Multidisciplinary Team Working: total": "5",
        "D4 Professional Accountability and Leadership: signed off": "0",
        "Competencies signed off": "1",
        "Competencies in total": "20",
        "Progress (%)": "5",
        "Expected progress (%)": "50",
        "Evidence awaiting review": "1",
        "Oldest awaiting review since": today.isoformat(),
        "Last activity": today.isoformat(),
        "Registration status": "Current",
        "Registration expiry": (today + timedelta(days=300)).isoformat(),
        "Registration verified": "Yes",
        "Level 3 status": "Achieved",
        "Level 3 verified": "Yes",
        "Supervision sessions in the last month": "1",
        "Last supervision session": today.isoformat(),
        "Pathway status": "Enrolled",
        "WTE": "",
        "Funding": "",
        "AfC band": "",
        "Protected learning days used": "0",
        "Protected learning days allowed": "28",
        "Start date": (today - timedelta(days=274)).isoformat(),
        "Flags": "Behind expected progress",
    }
    assert {k: ada[k] for k in expected} == expected
    ben = rows[2]
    assert ben["Registration status"] == "Expired"
    assert ben["Level 3 status"] == "Not recorded"
    assert ben["Flags"] == (
        "Stalled: no activity in 6 weeks; Behind expected progress; "
        "Registration renewal due or expired; No supervision session in the last month"
    )


def test_the_wide_csv_carries_programme_status(seeded, lead, as_user):
    from decimal import Decimal

    from app.extensions import db

    _, enrolment = seeded["ada"]
    enrolment.wte = Decimal("0.60")
    enrolment.funding = "arrs"
    enrolment.afc_band = "5"
    enrolment.pathway_status = "in-progress"
    enrolment.protected_learning_days_used = Decimal("3.5")
    enrolment.protected_learning_days_planned = Decimal("27")
    db.session.commit()
    rows = _csv(as_user(lead).get("/lead/exports/progress.csv"))
    ada = rows[1]
    assert (ada["WTE"], ada["Funding"], ada["AfC band"]) == ("0.6", "ARRS", "5")
    assert (ada["Pathway status"], ada["Protected learning days used"]) == ("In progress", "3.5")
    assert ada["Protected learning days planned"] == "27"
    # Not recorded is empty, not nought: nobody planned none.
    assert rows[2]["Protected learning days planned"] == ""


def test_the_long_csv_has_one_row_per_trainee_and_competency(seeded, lead, as_user, today):
    rows = _csv(as_user(lead).get("/lead/exports/competencies.csv"))
    assert len(rows) == 3 * 20
    ada = [r for r in rows if r["Trainee"] == "Ada Harbour"]
    assert [r["Competency code"] for r in ada[:3]] == ["D1.1", "D1.2", "D1.3"]
    assert ada[0] == {
        "Trainee": "Ada Harbour",
        "GPhC number": "5012345",
        "Organisation": "Harbour Street Surgery",
        "Cohort": "Spring intake",
        "Framework": "National Competency Framework for Primary Care Pharmacy Technicians "
        "(version 3, provisional draft: not the official wording)",
        "Domain": "D1 Multidisciplinary Team Working",
        "Competency code": "D1.1",
        "Competency": ada[0]["Competency"],
        "Status": "Signed off",
        "Outcome": "Competent and working beyond the expected level",
        "Signed off by": "Sam Okafor",
        "Signer GPhC number": "2034567",
        "Signed off on": today.isoformat(),
    }
    assert ada[1]["Status"] == "In progress"
    assert ada[1]["Signed off by"] == ""
    cal = [r for r in rows if r["Trainee"] == "'=Cal Cliff"]
    assert cal[0]["Status"] == "In progress"
    assert {r["Status"] for r in cal[1:]} == {"Not started"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ada = Harbour", "Ada = Harbour"),
        ("", ""),
    ],
)
def test_text_that_looks_like_a_formula_is_neutralised(value, expected):
    assert exports_csv.cell(value) == expected


def test_numbers_and_dates_are_not_neutralised(today):
    assert exports_csv.cell(-3) == "-3"
    assert exports_csv.cell(today) == today.isoformat()


def test_formula_text_in_an_export_is_written_as_text(seeded, lead, as_user):
    text = as_user(lead).get("/lead/exports/progress.csv").get_data(as_text=True)
    assert "\n'=Cal Cliff," in text
    assert "\n=Cal" not in text


def test_a_pcn_leads_exports_hold_none_of_another_pcns_trainees(seeded, harbour_lead, as_user):
    client = as_user(harbour_lead)
    wide = _csv(client.get("/lead/exports/progress.csv"))
    long = _csv(client.get("/lead/exports/competencies.csv"))
    assert {r["Trainee"] for r in wide} == {"Ada Harbour", "Ben Harbour"}
    assert {r["Trainee"] for r in long} == {"Ada Harbour", "Ben Harbour"}
    workbook = load_workbook(io.BytesIO(client.get("/lead/exports/progress.xlsx").data))
    names = {row[0] for row in workbook["Trainees"].iter_rows(min_row=2, values_only=True)}
    assert names == {"Ada Harbour", "Ben Harbour"}
    _, text = _pdf_text(client.get("/lead/exports/cohort-summary.pdf").data)
    assert "Cal Cliff" not in text


def test_a_supervisors_exports_hold_only_their_trainees(seeded, other_supervisor, as_user):
    rows = _csv(as_user(other_supervisor).get("/lead/exports/progress.csv"))
    assert [r["Trainee"] for r in rows] == ["'=Cal Cliff"]


def test_exports_honour_the_dashboard_filters(seeded, lead, as_user):
    rows = _csv(as_user(lead).get("/lead/exports/progress.csv?flag=registration"))
    assert [r["Trainee"] for r in rows] == ["Ben Harbour"]


def test_an_invalid_export_filter_goes_back_to_the_dashboard(seeded, lead, as_user):
    response = as_user(lead).get("/lead/exports/progress.csv?cohort=abc")
    assert response.status_code == 302
    assert "/lead/dashboard?cohort=abc" in response.headers["Location"]


def test_the_header_row_arrives_before_the_export_is_built(
    seeded, lead, as_user, bulk_trainees, harbour_practice, supervisor
):
    bulk_trainees(50, orgs=[harbour_practice], supervisor=supervisor)
    response = as_user(lead).get("/lead/exports/competencies.csv", buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    assert first.decode().startswith("Trainee,GPhC number,Organisation")
    assert first.count(b"\r\n") == 1, "the first chunk is the header row alone"
    rest = b"".join(chunks)
    assert rest.count(b"\r\n") == 53 * 20
    response.close()


def test_others_can_save_while_an_export_is_being_downloaded(
    app, seeded, lead, supervisor, as_user, login
):
    """The rows are read as the body is sent, after the request has ended: in a read-only
    transaction, so a slow download never holds the lock that saving (here a sign-in) needs."""
    response = as_user(lead).get("/lead/exports/progress.csv", buffered=False)
    chunks = iter(response.response)
    header = next(chunks)  # sent once the export's first query has run
    try:
        login(app.test_client(), supervisor)
    finally:
        rows = b"".join(chunks)
        response.close()
    assert header.startswith(b"Trainee,")
    assert b"Ada Harbour" in rows


def _peak_while_streaming(client, url: str) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        rows = sum(chunk.count(b"\r\n") for chunk in response.response)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return rows, peak


def test_memory_stays_flat_as_the_long_export_grows(
    app, lead, as_user, bulk_trainees, harbour_practice, supervisor
):
    app.config["EXPORT_BATCH_SIZE"] = 10
    client = as_user(lead)
    bulk_trainees(10, orgs=[harbour_practice], supervisor=supervisor)
    _peak_while_streaming(client, "/lead/exports/competencies.csv")  # warm the caches
    rows_200, peak_200 = _peak_while_streaming(client, "/lead/exports/competencies.csv")
    bulk_trainees(90, orgs=[harbour_practice], supervisor=supervisor)
    rows_2000, peak_2000 = _peak_while_streaming(client, "/lead/exports/competencies.csv")
    print(
        f"tracemalloc peak: {peak_200:,} bytes for {rows_200 - 1} rows, "
        f"{peak_2000:,} bytes for {rows_2000 - 1} rows"
    )
    assert (rows_200, rows_2000) == (201, 2001)
    assert peak_2000 < peak_200 * 1.5


# --- XLSX ---------------------------------------------------------------------------------


def test_the_xlsx_has_both_sheets_with_frozen_headers_widths_and_typed_cells(
    seeded, lead, as_user, today
):
    response = as_user(lead).get("/lead/exports/progress.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'progress-{today.isoformat()}.xlsx"')
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Trainees", "Competencies"]
    trainees = workbook["Trainees"]
    assert trainees.freeze_panes == "B2"
    assert trainees.column_dimensions["A"].width > 20
    header = [c.value for c in trainees[1]]
    assert header[:3] == ["Trainee", "Email", "GPhC number"]
    assert trainees["A1"].font.bold
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in trainees.iter_rows(min_row=2, values_only=True)
    }
    assert set(rows) == {"=Cal Cliff", "Ada Harbour", "Ben Harbour"}
    ada = rows["Ada Harbour"]
    assert ada["Competencies signed off"] == 1
    assert ada["Progress (%)"] == 5
    assert ada["Registration expiry"].date() == today + timedelta(days=300)
    assert ada["Level 3 status"] == "Achieved"
    assert ada["Flags"] == "Behind expected progress"
    cal_cell = next(c for c in trainees["A"] if c.value == "=Cal Cliff")
    assert cal_cell.data_type == "s", "written as text, never as a formula"

    competencies = workbook["Competencies"]
    assert competencies.freeze_panes == "B2"
    long_header = [c.value for c in competencies[1]]
    long_rows = list(competencies.iter_rows(min_row=2, values_only=True))
    assert len(long_rows) == 60
    first = dict(zip(long_header, next(r for r in long_rows if r[0] == "Ada Harbour"), strict=True))
    assert (first["Competency code"], first["Status"], first["Signed off by"]) == (
        "D1.1",
        "Signed off",
        "Sam Okafor",
    )
    assert first["Signed off on"].date() == today


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_xlsx_temporary_file_is_deleted_after_streaming(
    seeded, lead, as_user, tmp_path, monkeypatch, method
):
    """Read to the end or never read at all (a HEAD request), the workbook is deleted."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    response = as_user(lead).open("/lead/exports/progress.xlsx", method=method)
    assert response.status_code == 200
    assert response.data[:2] == (b"PK" if method == "GET" else b"")
    assert list(scratch.iterdir()) == []


# --- PDF ----------------------------------------------------------------------------------


def test_the_portfolio_pdf_names_statuses_evidence_and_signers(seeded, lead, as_user, today):
    _, enrolment = seeded["ada"]
    response = as_user(lead).get(f"/lead/trainees/{enrolment.id}/portfolio.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "portfolio-ada-harbour-" in response.headers["Content-Disposition"]
    _, text = _pdf_text(response.data)
    flat = " ".join(text.split())
    for expected in (
        "Training portfolio: Ada Harbour",
        "Harbour Street Surgery",
        "1 of 20 (5%)",
        "Signed off",
        "In progress",
        "Audit of repeats",
        "Observed clinic",
        "Sam Okafor (GPhC 2034567)",
        "5012345",
        "City & Guilds",
        "Achieved",
    ):
        assert expected in flat, expected
    assert "Private draft thoughts" not in flat


def test_the_cohort_summary_pdf_is_one_page_with_the_headline_numbers(
    seeded, lead, as_user, bulk_trainees, harbour_practice, supervisor
):
    bulk_trainees(40, orgs=[harbour_practice], supervisor=supervisor)
    pages, text = _pdf_text(as_user(lead).get("/lead/exports/cohort-summary.pdf").data)
    flat = " ".join(text.split())
    assert pages == 1
    assert "Cohort progress summary" in flat
    assert "Spring intake" in flat
    assert "Registration renewal due or expired" in flat
    assert "Ben Harbour" in flat


def test_columns_written_as_they_are_match_what_cell_would_write(seeded, lead, today):
    # `as_is` columns skip `cell`: csv.writer must turn each of their values into the same
    # text (None empty, numbers and dates plain, the product's own words untouched).
    report = progress_report.build_report(lead, today=today)
    wide = export_columns.wide_columns(report.domain_columns, report_thresholds())
    long_rows = list(competency_report.iter_competency_rows(lead, ReportFilters(), today=today))
    checked = 0
    for columns, rows in ((wide, report.rows), (export_columns.LONG_COLUMNS, long_rows)):
        assert rows
        for column in (c for c in columns if c.as_is):
            for row in rows:
                value = column.value(row)
                assert not isinstance(value, bool | datetime | Decimal), column.header
                assert ("" if value is None else str(value)) == exports_csv.cell(value)
                checked += 1
    assert checked > 100
