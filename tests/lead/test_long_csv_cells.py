"""The long CSV's own cell maker says, cell for cell, what the long form's columns say."""

from __future__ import annotations

from datetime import date

from app.services.reporting.competency_report import CompetencyRow
from app.services.reporting.csv_export import _cell_of, long_cells
from app.services.reporting.export_columns import LONG_COLUMNS


def _row(enrolment_id: int, trainee: str, code: str, status: str, **signed) -> CompetencyRow:
    return CompetencyRow(
        enrolment_id=enrolment_id,
        trainee_id=enrolment_id + 100,
        trainee=trainee,
        gphc_number="=HYPERLINK(1)" if enrolment_id == 2 else None,
        organisation="+Practice" if enrolment_id == 1 else "Practice",
        cohort=None,
        framework="Framework (version 3)",
        domain_code="D1",
        domain_title="-Team working",
        competency_code=code,
        competency_title="@Contributing" if code == "D1.2" else "Contributing",
        status=status,
        outcome=signed.get("outcome"),
        signed_by=signed.get("signed_by"),
        signed_by_gphc=signed.get("gphc"),
        signed_on=signed.get("on"),
    )


def test_long_cells_match_the_columns_for_every_kind_of_row():
    rows = [
        _row(1, "=Ann", "D1.1", "signed_off", outcome="Competent", signed_by="@Sam", gphc="2100079",
             on=date(2026, 12, 6)),
        _row(1, "=Ann", "D1.2", "ready"),
        _row(1, "=Ann", "D1.3", "in_progress", outcome="Not yet", signed_by="Sam", gphc="1",
             on=date(2026, 11, 1)),
        _row(2, "Bea", "D1.1", "not_started"),
        _row(2, "Bea", "D1.2", "signed_off", outcome="-Competent", signed_by="Sam", gphc=None,
             on=date(2026, 1, 2)),
        _row(1, "Ann again", "D1.1", "not_started"),
    ]  # fmt: skip
    getters = [_cell_of(column) for column in LONG_COLUMNS]
    expected = [[get(row) for get in getters] for row in rows]
    made = list(long_cells(rows))
    assert made == expected
    # The formula guard applied where a person's text starts like a formula.
    assert made[0][0] == "'=Ann"
    assert made[3][1] == "'=HYPERLINK(1)"
    assert made[1][7] == "'@Contributing"
