"""GET /api/v1/reports/progress: the dashboard's report as streamed JSON, CSV or XLSX,
in the caller's scope and with the dashboard's filters."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from app.api.reports import json_chunks
from tests.api.conftest import error_of


def test_json_rows_carry_the_dashboard_columns(seeded, lead, api_as):
    response = api_as(lead).get("/reports/progress")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["total"] == 3
    ada = next(row for row in body["items"] if row["name"] == "Ada Harbour")
    assert ada["gphc_number"] is None or isinstance(ada["gphc_number"], str)
    assert ada["domains"]["D1"] == {"signed_off": 1, "total": 5, "percent": 20}
    assert ada["progress"]["signed_off"] == 1
    assert ada["pathway_status"]
    assert ada["registration_expires_on"]


def test_the_csv_is_the_dashboards_csv(seeded, lead, login, client, api_as):
    from_api = api_as(lead).get("/reports/progress?format=csv")
    assert from_api.status_code == 200
    assert from_api.mimetype == "text/csv"
    assert from_api.headers["Content-Disposition"].startswith("attachment;")
    login(client, lead)
    from_page = client.get("/lead/exports/progress.csv")
    assert from_api.data == from_page.data
    rows = list(csv.reader(io.StringIO(from_api.get_data(as_text=True))))
    assert len(rows) == 4  # the header and three trainees
    # The formula-looking name is neutralised, as in every export.
    assert any(row[rows[0].index("Trainee")] == "'=Cal Cliff" for row in rows[1:])


def test_the_xlsx_opens_with_one_row_per_trainee(seeded, lead, api_as):
    response = api_as(lead).get("/reports/progress?format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    sheet = book.worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["Ada Harbour", "Ben Harbour", "=Cal Cliff"])
    book.close()


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_a_pcn_lead_exports_none_of_another_pcns_trainees(seeded, cliff_lead, api_as, fmt):
    response = api_as(cliff_lead).get(f"/reports/progress?format={fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        text = " ".join(
            str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row
        )
        book.close()
    else:
        text = response.get_data(as_text=True)
    assert "Cal Cliff" in text
    assert "Ada Harbour" not in text
    assert "Ben Harbour" not in text


def test_filters_apply_as_on_the_dashboard(seeded, lead, harbour, api_as):
    body = api_as(lead).get(f"/reports/progress?organisation_id={harbour.id}").get_json()
    assert {row["name"] for row in body["items"]} == {"Ada Harbour", "Ben Harbour"}
    assert body["total"] == 2


@pytest.mark.parametrize("query", ["format=pdf", "flag=nope", "sort=name"])
def test_bad_parameters_are_400(seeded, lead, api_as, query):
    response = api_as(lead).get(f"/reports/progress?{query}")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_trainees_may_not_read_reports(seeded, api_as):
    response = api_as(seeded["ada"][0]).get("/reports/progress")
    assert response.status_code == 403


def test_json_streams_row_by_row(app, seeded, lead):
    """The opening bracket is sent before any row is read, then one chunk per row."""
    from app.services.reporting.scope import ReportFilters

    with app.test_request_context():
        chunks = json_chunks(lead, ReportFilters())
        assert next(chunks) == b'{"items": ['
        rest = list(chunks)
    assert len(rest) == 4  # three rows, then the closing total
    body = json.loads(b'{"items": [' + b"".join(rest))
    assert body["total"] == 3


def test_others_can_save_while_the_report_is_being_read(
    app, seeded, lead, supervisor, api_as, login
):
    """The JSON is read from the database as it is sent: in a read-only transaction, so a
    slow reader never holds the lock that saving (here a sign-in) needs."""
    response = api_as(lead).get("/reports/progress", buffered=False)
    chunks = iter(response.response)
    opened = [next(chunks), next(chunks)]  # the opening bracket, then a row read
    try:
        login(app.test_client(), supervisor)
    finally:
        rest = b"".join(chunks)
        response.close()
    assert json.loads(b"".join(opened) + rest)["total"] == 3
