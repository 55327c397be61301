"""CSV exports of the progress report, streamed as they are written.

UTF-8 without a byte-order mark, a header row first, CRLF line ends (RFC 4180). Any text
cell that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
carriage return) gets a leading apostrophe, so opening an export never runs anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.models.users import User
from app.services.reporting.competency_report import (
    STATUS_LABELS,
    CompetencyRow,
    iter_competency_rows,
)
from app.services.reporting.export_columns import LONG_COLUMNS, Column, wide_columns
from app.services.reporting.flags import report_thresholds
from app.services.reporting.progress_report import domain_columns_for, iter_progress
from app.services.reporting.scope import ReportFilters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_AT = 16 * 1024  # characters buffered before a chunk goes out


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str:
    # Exact types first: most cells are plain text or whole numbers (bool before int).
    kind = type(value)
    if kind is str:
        return neutralise(value)
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _cell_of(column: Column) -> Callable[[Any], Any]:
    """What the CSV writes in a column for a row. csv.writer writes None as an empty cell
    and whole numbers and dates as `cell` would, so `as_is` columns skip `cell`."""
    if column.as_is:
        return column.value
    value = column.value
    return lambda row: cell(value(row))


def csv_chunks(columns: list[Column], rows: Iterable[Any]) -> Iterator[bytes]:
    """The header as the first chunk, then the rows in chunks of about FLUSH_AT characters."""
    cells = [_cell_of(c) for c in columns]
    yield from _lines(columns, ([get(row) for get in cells] for row in rows))


def _lines(columns: list[Column], cell_rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """`csv_chunks` for rows already turned into their cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(c.header) for c in columns])
    yield _take(buffer)
    for cells in cell_rows:
        writer.writerow(cells)
        if buffer.tell() >= FLUSH_AT:
            yield _take(buffer)
    if buffer.tell():
        yield _take(buffer)


def long_cells(rows: Iterable[CompetencyRow]) -> Iterator[list[Any]]:
    """The cells `LONG_COLUMNS` gives each row, the long form's way: a trainee's cells are
    made once for their run of rows and a competency's once for the export (there are a
    few dozen), so a row costs only its status and sign-off."""
    trainee: tuple[int, list[str]] = (-1, [])
    competencies: dict[tuple[str, str, str], list[str]] = {}
    for row in rows:
        if row.enrolment_id != trainee[0]:
            people = [row.trainee, row.gphc_number, row.organisation, row.cohort]
            trainee = (row.enrolment_id, [cell(value) for value in people])
        key = (row.framework, row.domain_code, row.competency_code)
        competency = competencies.get(key)
        if competency is None:
            domain = f"{row.domain_code} {row.domain_title}"
            named = [row.framework, domain, row.competency_code, row.competency_title]
            competency = competencies[key] = [cell(value) for value in named]
        if row.signed_on is None and row.outcome is None:
            signed = ["", "", "", None]
        else:
            signed = [cell(row.outcome), cell(row.signed_by), cell(row.signed_by_gphc)]
            signed.append(row.signed_on)
        yield [*trainee[1], *competency, STATUS_LABELS[row.status], *signed]


def _as_read(rows: Iterator[Any]) -> Iterator[Any]:
    return rows


def progress_csv(
    viewer: User,
    filters: ReportFilters,
    *,
    today: date | None = None,
    through: Callable[[Iterator[Any]], Iterator[Any]] = _as_read,
) -> Iterator[bytes]:
    """One row per trainee. `through` sees every row on its way (a background export
    counts them)."""
    columns = wide_columns(domain_columns_for(viewer, filters), report_thresholds())
    yield from csv_chunks(columns, through(iter_progress(viewer, filters, today=today)))


def competencies_csv(
    viewer: User,
    filters: ReportFilters,
    *,
    today: date | None = None,
    through: Callable[[Iterator[Any]], Iterator[Any]] = _as_read,
) -> Iterator[bytes]:
    """One row per trainee x competency."""
    rows = iter_competency_rows(viewer, filters, today=today)
    yield from _lines(LONG_COLUMNS, long_cells(through(rows)))
