"""Reading a people-import CSV: its bytes, its header and its rows, each with its line.

A spreadsheet saves the file; this checks it is one: UTF-8 text (a byte order mark is
allowed, as Excel writes one), no larger than the limit, and a header row naming exactly
the import's columns, in any order. Every problem says where it is, so a person can find
it in the file: the line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass

COLUMNS = (
    "email",
    "name",
    "role",
    "organisation",
    "gphc_number",
    "framework",
    "framework_version",
    "clinical_supervisor",
    "education_supervisor",
    "cohort",
    "start_date",
)
# Only a trainee is enrolled: these stay empty on everyone else's rows.
ENROLMENT_COLUMNS = COLUMNS[5:]

# The preview page carries the file in a form field to its confirmation, and Flask takes
# form fields of up to 500,000 bytes: this leaves room, and is about 2,000 people.
MAX_FILE_BYTES = 400_000

SAVE_AS_CSV = 'save it from your spreadsheet as "CSV UTF-8 (Comma delimited)" and try again'


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, at a line and column when one applies."""

    line: int | None
    column: str | None
    message: str

    def located(self, path: str) -> str:
        """The command line's form: `PATH:LINE: column: message` (`PATH: message`)."""
        if self.line is None:
            return f"{path}: {self.message}"
        return f"{path}:{self.line}: {self.column}: {self.message}"


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file; the header is line 1
    values: dict[str, str]  # column -> the value, spaces around it removed


@dataclass(frozen=True)
class CsvFile:
    text: str  # the decoded text, to carry from the preview to the confirmation
    rows: list[CsvRow]
    problems: list[Problem]


def read_people_csv(data: bytes | str, *, max_bytes: int = MAX_FILE_BYTES) -> CsvFile:
    """The rows of the file, or the problems that stop it being read at all."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        return _unreadable(
            f"The file is {len(raw):,} bytes; the largest accepted is {max_bytes:,} bytes: "
            "split it into smaller files and import each"
        )
    kind = _other_kind(raw)
    if kind:
        return _unreadable(f"This is {kind}, not a CSV file: {SAVE_AS_CSV}")
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            return _unreadable(
                f"The file is not a CSV file saved as UTF-8 text (line {line} is not): "
                + SAVE_AS_CSV
            )
    if not text.strip():
        return _unreadable("The file is empty: it needs a header row and a row for each person")
    return _rows(text)


def _unreadable(message: str) -> CsvFile:
    return CsvFile("", [], [Problem(None, None, message)])


# What people upload by mistake, recognised by how the file starts.
SIGNATURES = {
    b"PK\x03\x04": "a spreadsheet workbook (such as .xlsx)",
    b"\xd0\xcf\x11\xe0": "an older Excel workbook (.xls)",
    b"%PDF": "a PDF",
}


def _other_kind(raw: bytes) -> str | None:
    return next((kind for start, kind in SIGNATURES.items() if raw.startswith(start)), None)


def _rows(text: str) -> CsvFile:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    rows: list[CsvRow] = []
    try:
        header = next(reader)
        columns = _header_problems(header, problems)
        if problems:
            return CsvFile(text, [], problems)
        read_up_to = reader.line_num
        for values in reader:
            line, read_up_to = read_up_to + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue  # a blank line, as spreadsheets leave at the end
            if len(values) != len(columns):
                problems.append(
                    Problem(
                        line,
                        "row",
                        f"has {len(values)} values but the header has {len(columns)} columns: "
                        "check for a missing or extra comma",
                    )
                )
                continue
            cleaned = {column: value.strip() for column, value in zip(columns, values, strict=True)}
            rows.append(CsvRow(line, cleaned))
    except csv.Error as error:
        problems.append(Problem(reader.line_num, "row", f"cannot be read as CSV ({error})"))
    if not rows and not problems:
        problems.append(Problem(None, None, "The file has a header row but no one under it"))
    return CsvFile(text, rows, problems)


def _header_problems(header: list[str], problems: list[Problem]) -> list[str]:
    """The header's columns (lower case, trimmed); adds what is wrong with them."""
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and ";" in names[0]:
        problems.append(Problem(1, "header", "the columns are separated by semicolons: use commas"))
        return names
    unknown = [name for name in names if name not in COLUMNS]
    missing = [column for column in COLUMNS if column not in names]
    repeated = sorted({name for name in names if names.count(name) > 1 and name in COLUMNS})
    for name in unknown:
        close = difflib.get_close_matches(name, missing or COLUMNS, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        shown = f'"{name}"' if name else "with no name"
        problems.append(Problem(1, "header", f"unknown column {shown}{hint}"))
    if missing:
        problems.append(Problem(1, "header", f"missing columns: {', '.join(missing)}"))
    for name in repeated:
        problems.append(Problem(1, "header", f'the column "{name}" appears more than once'))
    if problems:
        problems.append(Problem(1, "header", f"the header must be: {','.join(COLUMNS)}"))
    return names
