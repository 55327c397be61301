"""CSV files people attach, made safe to open in a spreadsheet in the copy that is sent.

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to a
spreadsheet, and a formula can run commands or send data away. The copy a person
downloads has every such cell prefixed with an apostrophe (`exports_csv.neutralise`,
the rule our own exports follow), and every cell quoted, so a spreadsheet that splits
on another delimiter (a semicolon, say) cannot find a new cell starting with `=` inside one.

The stored file is never changed. Its SHA-256 is part of the evidence version's digest
and of every sign-off that relied on that version, and those records are append-only:
the digest must keep naming the bytes the trainee uploaded and the supervisor reviewed,
and files stored before this rule are protected the same way, with their digests intact.
A file that cannot be read as UTF-8 CSV is sent unchanged under a `.txt` name, which no
spreadsheet opens as a table by itself.
"""

from __future__ import annotations

import csv
import io

from app.services.reporting.csv_export import neutralise

BOM = "\ufeff"
SNIFF_CHARS = 8192


def is_csv_name(filename: str) -> bool:
    return filename.lower().endswith(".csv")


def spreadsheet_safe(content: bytes, filename: str) -> tuple[bytes, str]:
    """(content to send, name to send it under) for a stored CSV file."""
    try:
        return _neutralised(content.decode("utf-8")).encode("utf-8"), filename
    except (UnicodeDecodeError, csv.Error):
        return content, f"{filename}.txt"


def _delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _neutralised(text: str) -> str:
    bom = BOM if text.startswith(BOM) else ""
    body = text.removeprefix(BOM)
    line_end = "\r\n" if "\r\n" in body else "\n"
    delimiter = _delimiter(body)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end, quoting=csv.QUOTE_ALL)
    for row in csv.reader(io.StringIO(body, newline=""), delimiter=delimiter):
        writer.writerow([neutralise(cell) for cell in row])
    written = out.getvalue()
    if not body.endswith(("\n", "\r")):
        written = written.removesuffix(line_end)
    return bom + written
