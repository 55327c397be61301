"""What a worker runs: each function is the whole of one queued job.

`flask jobs worker` runs them inside its app; run by a plain `rq worker` they build the
app from the environment as `wsgi` does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date

from flask import Flask, has_app_context

from app.extensions import db
from app.services.jobs import export_attempts, export_jobs
from app.services.jobs.export_files import RequesterGone, write_export
from app.services.notifications import messages as notifications
from app.services.storage import current_storage, new_key

log = logging.getLogger(__name__)
SEND_DIGEST = "app.services.jobs.tasks.send_digest"
_app: Flask | None = None


@contextmanager
def _in_app() -> Iterator[None]:
    global _app
    if has_app_context():
        context = nullcontext()
    else:
        if _app is None:
            from app import create_app

            _app = create_app()
        context = _app.app_context()
    with context:
        try:
            yield
        finally:
            db.session.remove()


def run_export(job_id: int) -> str:
    """One attempt at an export job; says what became of it."""
    with _in_app():
        attempt = export_attempts.claim(job_id, new_key(export_jobs.NAMESPACE))
        if attempt is None:
            return "not waiting"
        try:
            written = write_export(attempt)
        except export_attempts.AttemptSuperseded:
            db.session.rollback()
            current_storage().delete(attempt.storage_key)
            return "superseded"
        except RequesterGone:
            db.session.rollback()
            export_attempts.give_up_or_retry(
                attempt, "the person who asked no longer has access", final=True
            )
            return "requester gone"
        except Exception as error:
            db.session.rollback()
            export_attempts.give_up_or_retry(attempt, f"the export failed ({type(error).__name__})")
            raise
        done = export_attempts.complete(
            attempt, rows=written.rows, size_bytes=written.size_bytes, sha256=written.sha256
        )
        return "done" if done else "superseded"


def send_digest(on: str) -> str:
    """The daily digest for the day `on` (YYYY-MM-DD), as a queued job."""
    with _in_app():
        return digest_now(date.fromisoformat(on))


def digest_now(day: date) -> str:
    """Send the day's digest in this transaction (committed here); safe to run twice: a
    supervisor gets at most one a day."""
    outcome = notifications.send_submission_digests(day)
    db.session.commit()
    return f"digests sent: {outcome.sent}; reminders sent: {outcome.reminded}"
