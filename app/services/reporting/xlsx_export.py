"""The progress report as an XLSX workbook: a "Trainees" sheet (one row per trainee) and a
"Competencies" sheet (one row per trainee x competency), each with a frozen, bold header
row, column widths and a filter.

XlsxWriter's constant-memory mode writes each row to a temporary file as soon as the next
one starts, so memory stays flat however many rows; the finished workbook is a file on
disk that the caller streams and then deletes. Strings are always written as strings:
nothing in a cell can become a formula or a link.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from app.models.users import User
from app.services.reporting.competency_report import iter_competency_rows
from app.services.reporting.export_columns import LONG_COLUMNS, Column, wide_columns
from app.services.reporting.flags import report_thresholds
from app.services.reporting.progress_report import domain_columns_for, iter_progress
from app.services.reporting.scope import ReportFilters

CHUNK = 64 * 1024
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _write_sheet(workbook, name: str, columns: list[Column], rows: Iterable[Any], formats) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.freeze_panes(1, 1)
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header, formats["header"])
    count = 0
    getters = list(enumerate(column.value for column in columns))
    write_string = sheet.write_string
    # The last count sizes the filter range.
    for count, row in enumerate(rows, start=1):
        for index, get in getters:
            value = get(row)
            # Most cells are text or nothing: those first, the rest by `_write_cell`.
            if type(value) is str:
                write_string(count, index, value)
            elif value is not None:
                _write_cell(sheet, count, index, value, formats)
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)


def _write_cell(sheet, row: int, col: int, value: Any, formats) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "Yes" if value else "No")
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, date):
        midnight = datetime(value.year, value.month, value.day)
        sheet.write_datetime(row, col, midnight, formats["date"])
    elif isinstance(value, int | Decimal | float):
        sheet.write_number(row, col, float(value))
    else:
        sheet.write_string(row, col, str(value))


def _as_read(rows: Iterator[Any]) -> Iterator[Any]:
    return rows


def write_progress_workbook(
    path: str | Path,
    viewer: User,
    filters: ReportFilters,
    *,
    today: date | None = None,
    through: Callable[[Iterator[Any]], Iterator[Any]] = _as_read,
) -> None:
    """Both sheets into `path`; `through` sees every row of each on its way."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "tmpdir": str(Path(path).parent),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        formats = {
            "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        }
        wide = wide_columns(domain_columns_for(viewer, filters), report_thresholds())
        trainees = through(iter_progress(viewer, filters, today=today))
        _write_sheet(workbook, "Trainees", wide, trainees, formats)
        _write_sheet(
            workbook,
            "Competencies",
            LONG_COLUMNS,
            through(iter_competency_rows(viewer, filters, today=today)),
            formats,
        )
    finally:
        workbook.close()


def build_progress_workbook(
    viewer: User, filters: ReportFilters, *, today: date | None = None, directory: str | None = None
) -> Path:
    """Write the workbook to a new temporary file and return its path (the caller deletes it)."""
    handle, name = tempfile.mkstemp(prefix="progress-", suffix=".xlsx", dir=directory)
    os.close(handle)
    path = Path(name)
    try:
        write_progress_workbook(path, viewer, filters, today=today)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


class _StreamAndDelete:
    """The file's bytes in chunks; the file is deleted when the response is closed.

    A server closes every response but reads the body only when it sends one: for a HEAD
    request a generator never starts, so clean-up inside it would never run. Closing
    deletes the file, read or not."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._chunks: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        self._chunks = self._read()
        return self._chunks

    def _read(self) -> Iterator[bytes]:
        with self._path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def close(self) -> None:
        if self._chunks is not None:
            self._chunks.close()
        self._path.unlink(missing_ok=True)


def stream_and_delete(path: Path) -> Iterable[bytes]:
    """The file as a response body that deletes it once the response is closed."""
    return _StreamAndDelete(path)
