"""The portable record as one ZIP the trainee owns: README.txt, record.json, a portfolio
PDF per enrolment and every stored file of theirs (evidence attachments, Level 3
certificate, pathway exemption letters).

It is streamed: zipfile writes to an unseekable sink (so it uses data descriptors) and
each file is copied in chunks as the response is sent, so memory stays flat however
large the attachments are.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from app.models.users import User
from app.services.exports_pdf import trainee_portfolio_pdf
from app.services.portable_record import enrolments_of, json_default, portable_record
from app.services.trainee_summary import trainee_summary

CHUNK = 64 * 1024
README = """\
Your PCPT Portfolio record
==========================

record.json      Everything the service holds about you, in the schema
                 pcpt-portable-record/v1 (described in the service's
                 docs/portable-record.md). Dates are YYYY-MM-DD; times are UTC.
portfolio-*.pdf  Your training portfolio for each enrolment, as your
                 supervisors and education lead see it (drafts are left out).
files/           Every file you or others stored on your record: evidence
                 attachments, your Level 3 certificate, pathway exemption
                 letters. record.json lists each with its SHA-256 digest.
"""


class _Sink:
    """A write-only, unseekable file for zipfile: it keeps what was written until taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _entry(name: str, when: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _archive_chunks(
    person: User, *, upload_dir: str | Path, now: datetime, today: date
) -> Iterator[bytes]:
    record, stored = portable_record(person, upload_dir=upload_dir, generated_at=now)
    pdfs = [
        (
            f"portfolio-{e.framework.code}-{e.framework.version}-{e.id}.pdf",
            trainee_portfolio_pdf(trainee_summary(e, today), generated_on=today),
        )
        for e in enrolments_of(person)
    ]
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("README.txt", now), README)
        text = json.dumps(record, default=json_default, ensure_ascii=False, indent=2)
        archive.writestr(_entry("record.json", now), text.encode("utf-8"))
        yield sink.take()
        for name, content in pdfs:
            archive.writestr(_entry(name, now), content)
            yield sink.take()
        for item in stored:
            with (
                archive.open(_entry(item.archive_path, now), "w") as target,
                item.stored.open("rb") as source,
            ):
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.take()
    # Closing the archive wrote its central directory.
    yield sink.take()


def portable_record_zip(
    person: User, *, upload_dir: str | Path, now: datetime, today: date
) -> Iterator[bytes]:
    """The archive's bytes, in the order they are written."""
    for chunk in _archive_chunks(person, upload_dir=upload_dir, now=now, today=today):
        if chunk:
            yield chunk


def record_filename(person: User, today: date) -> str:
    return f"pcpt-record-{person.id}-{today.isoformat()}.zip"
