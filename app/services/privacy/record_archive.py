"""The portable record as one ZIP the trainee owns: README.txt, record.json, a portfolio
PDF per enrolment and every stored file of theirs (evidence attachments, Level 3
certificate, pathway exemption letters).

It is made in two steps. `record_archive` reads everything from the database while the
request is being answered and keeps it as plain values: the JSON's bytes, each PDF's
bytes, and the paths of the stored files. `archive_chunks` then writes the ZIP as the
response is sent. A server sends a body after the request has ended and its database
session is gone, so the second step must never need the session: it reads only the
snapshot and the files on disk.

zipfile writes to an unseekable sink (so it uses data descriptors) and each stored file is
copied in chunks, so memory stays flat however large the attachments are.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.models.users import User
from app.services.credentials.issuing import credentials_of, download_name
from app.services.privacy.portable_record import json_default, portable_record
from app.services.privacy.record_enrolment import enrolments_of
from app.services.privacy.record_files import RecordFile
from app.services.reporting.pdf_export import trainee_portfolio_pdf
from app.services.reporting.trainee_summary import trainee_summary

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
credentials/     The Open Badges 3.0 credential issued when your training was
                 signed off as complete, exactly as signed: add it to a digital
                 wallet or send it to anyone, who can check it themselves.
"""


@dataclass(frozen=True)
class RecordArchive:
    """What the ZIP holds, read before the download starts: no database object in it."""

    filename: str
    written_at: datetime
    record_json: bytes
    portfolios: tuple[tuple[str, bytes], ...]
    files: tuple[RecordFile, ...]
    credentials: tuple[tuple[str, bytes], ...] = ()


def record_archive(
    person: User, *, upload_dir: str | Path, now: datetime, today: date
) -> RecordArchive:
    record, stored = portable_record(person, upload_dir=upload_dir, generated_at=now)
    text = json.dumps(record, default=json_default, ensure_ascii=False, indent=2)
    return RecordArchive(
        filename=f"pcpt-record-{person.id}-{today.isoformat()}.zip",
        written_at=now,
        record_json=text.encode("utf-8"),
        portfolios=tuple(
            (
                f"portfolio-{e.framework.code}-{e.framework.version}-{e.id}.pdf",
                trainee_portfolio_pdf(trainee_summary(e, today), generated_on=today),
            )
            for e in enrolments_of(person)
        ),
        files=tuple(stored),
        credentials=tuple(
            (f"credentials/{download_name(c)}", c.document.encode("utf-8"))
            for c in credentials_of(person.id)
        ),
    )


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


def _written(archive: RecordArchive) -> Iterator[bytes]:
    when = archive.written_at
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as target:
        target.writestr(_entry("README.txt", when), README)
        target.writestr(_entry("record.json", when), archive.record_json)
        yield sink.take()
        for name, content in archive.portfolios + archive.credentials:
            target.writestr(_entry(name, when), content)
            yield sink.take()
        for item in archive.files:
            with (
                target.open(_entry(item.archive_path, when), "w") as member,
                item.open() as source,
            ):
                while chunk := source.read(CHUNK):
                    member.write(chunk)
                    yield sink.take()
    # Closing the archive wrote its central directory.
    yield sink.take()


def archive_chunks(archive: RecordArchive) -> Iterator[bytes]:
    """The ZIP's bytes, in the order they are written."""
    for chunk in _written(archive):
        if chunk:
            yield chunk
