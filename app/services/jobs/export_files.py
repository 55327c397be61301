"""Writing an export's file for a worker's attempt: the same CSV and XLSX writers as the
downloads in the request, counted as they go, into a local temporary file that is stored
whole under the attempt's key."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.database import read_only_transactions
from app.extensions import db
from app.models.export_jobs import ExportJob
from app.models.users import User
from app.services.jobs import export_attempts, export_jobs
from app.services.jobs.export_attempts import Attempt
from app.services.reporting import csv_export, xlsx_export
from app.services.storage import current_storage


class RequesterGone(Exception):
    """The person who asked no longer has an active account: nothing is written for them."""


@dataclass(frozen=True)
class WrittenExport:
    rows: int
    size_bytes: int
    sha256: str


class _RowCounter:
    """Counts rows as the writer takes them, reporting progress every `every` rows."""

    def __init__(self, attempt: Attempt, every: int) -> None:
        self.attempt = attempt
        self.every = every
        self.rows = 0

    def count(self, rows: Iterator[Any]) -> Iterator[Any]:
        for row in rows:
            yield row
            self.rows += 1
            if self.rows % self.every == 0:
                export_attempts.report_progress(self.attempt, self.rows)


def _step(total: int) -> int:
    """About fifty progress reports an export, at most one a thousand rows."""
    return max(1, min(1000, total // 50))


def write_export(attempt: Attempt) -> WrittenExport:
    """Write the job's file and store it under the attempt's key; the job is not marked
    done here (see `export_attempts.complete`)."""
    with tempfile.TemporaryDirectory(prefix="pcpt-export-") as folder:
        path = Path(folder) / "export"
        # The export only reads: on SQLite a write lock held for minutes would stop
        # every sign-in, and the progress reports (another connection) could not write.
        with read_only_transactions():
            try:
                job = db.session.get(ExportJob, attempt.job_id)
                viewer = db.session.get(User, job.requester_id) if job else None
                if job is None or viewer is None or not viewer.active:
                    raise RequesterGone
                counter = _RowCounter(attempt, _step(job.rows_total))
                filters = export_jobs.filters_of(job)
                if job.kind == "progress-xlsx":
                    xlsx_export.write_progress_workbook(
                        path, viewer, filters, today=job.report_on, through=counter.count
                    )
                else:
                    write = (
                        csv_export.progress_csv
                        if job.kind == "progress-csv"
                        else csv_export.competencies_csv
                    )
                    chunks = write(viewer, filters, today=job.report_on, through=counter.count)
                    with path.open("wb") as out:
                        for chunk in chunks:
                            out.write(chunk)
            finally:
                db.session.rollback()
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1024 * 1024):
                digest.update(block)
        with path.open("rb") as handle:
            written = current_storage().put(attempt.storage_key, handle)
        return WrittenExport(counter.rows, written.size_bytes, digest.hexdigest())
