"""A worker's attempt at an export, and the sweep that finds attempts whose worker died.

An attempt claims a queued job (running, a new storage key, a lease), renews the lease
as it writes, and marks the job done only once the whole file is stored. An attempt whose
lease has passed is presumed dead: the sweep deletes its file and queues the job again, up
to `EXPORT_JOB_MAX_ATTEMPTS` attempts; an attempt that finds the job is no longer its own
stops and deletes its file. Each step commits (the rules are in `export_jobs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.export_jobs import ExportJob
from app.models.users import User
from app.services.audit.chain import record as audit
from app.services.jobs import queue
from app.services.jobs.export_jobs import (
    RUN_EXPORT,
    keep_hours,
    kind_of,
    message_id,
    queue_attempt,
)
from app.services.notifications.messages import notify, path_for
from app.services.storage import current_storage, remove_after_commit

# --- A worker's attempt ---------------------------------------------------------------------


class AttemptSuperseded(Exception):
    """The job is no longer this attempt's (presumed dead and queued again, or expired)."""


@dataclass(frozen=True)
class Attempt:
    job_id: int
    number: int
    storage_key: str


def _locked(job_id: int) -> ExportJob | None:
    return db.session.get(ExportJob, job_id, with_for_update=True, populate_existing=True)


def claim(job_id: int, storage_key: str, now: datetime | None = None) -> Attempt | None:
    """Start an attempt on a queued job, writing to `storage_key`; None when the job is not
    waiting (another attempt has it, or it is finished). Commits."""
    now = now or utcnow()
    job = _locked(job_id)
    if job is None or job.status != "queued":
        db.session.rollback()
        return None
    job.status = "running"
    job.attempts += 1
    job.storage_key = storage_key
    job.rows_done = 0
    job.error = None
    job.started_at = now
    job.lease_until = now + _lease()
    attempt = Attempt(job.id, job.attempts, storage_key)
    # Read before the commit: reading the job after it would begin a transaction (on
    # SQLite a writing one) that the export would then hold.
    db.session.commit()
    return attempt


def _lease() -> timedelta:
    return timedelta(seconds=int(current_app.config["EXPORT_JOB_LEASE_SECONDS"]))


def report_progress(attempt: Attempt, rows_done: int, now: datetime | None = None) -> None:
    """Record rows written and renew the lease, on a connection of its own (the export
    is still reading in the session's transaction). Raises AttemptSuperseded."""
    now = now or utcnow()
    table = ExportJob.__table__
    with db.engine.begin() as connection:
        changed = connection.execute(
            table.update()
            .where(
                table.c.id == attempt.job_id,
                table.c.attempts == attempt.number,
                table.c.status == "running",
            )
            .values(rows_done=rows_done, lease_until=now + _lease())
        ).rowcount
    if changed != 1:
        raise AttemptSuperseded


def complete(
    attempt: Attempt, *, rows: int, size_bytes: int, sha256: str, now: datetime | None = None
) -> bool:
    """Mark the job done now that its whole file is stored, and tell the person who asked.
    False (and the file deleted) when the job is no longer this attempt's. Commits."""
    now = now or utcnow()
    job = _locked(attempt.job_id)
    if job is None or job.status != "running" or job.attempts != attempt.number:
        db.session.rollback()
        current_storage().delete(attempt.storage_key)
        return False
    job.status = "done"
    job.rows_done = job.rows_total = rows
    job.size_bytes = size_bytes
    job.sha256 = sha256
    job.finished_at = now
    job.lease_until = None
    job.expires_at = now + timedelta(hours=keep_hours())
    requester = db.session.get(User, job.requester_id)
    audit(
        "export.completed",
        "export_job",
        job.id,
        actor=None,
        data={"kind": job.kind, "rows": rows, "sha256": sha256, "attempt": attempt.number},
    )
    if requester is not None:
        link = path_for("lead.export_job", job_id=job.id)
        notify(
            requester,
            "export_ready",
            f"Your export is ready to download until {_when(job.expires_at)}.",
            link,
            email_subject="Your export is ready",
            email_body=(
                f"The export you asked for ({kind_of(job).label}, {rows:,} rows) is ready. "
                f"Sign in to download it before {_when(job.expires_at)}; after that it is "
                "deleted."
            ),
        )
    db.session.commit()
    return True


def _when(moment: datetime | None) -> str:
    return moment.strftime("%H:%M UTC on %d %B %Y") if moment else ""


def give_up_or_retry(
    attempt: Attempt, reason: str, *, final: bool = False, now: datetime | None = None
) -> None:
    """The attempt failed: queue the job again, or after the last attempt (or a `final`
    failure, which another attempt would repeat) mark it failed and say so. The attempt's
    file is deleted. Commits."""
    job = _locked(attempt.job_id)
    if job is None or job.status != "running" or job.attempts != attempt.number:
        db.session.rollback()
        current_storage().delete(attempt.storage_key)
        return
    _end_attempt(job, reason, now or utcnow(), final=final)
    db.session.commit()


def _end_attempt(job: ExportJob, reason: str, now: datetime, *, final: bool = False) -> None:
    """Drop the attempt's file; queue the job again, or fail it after the last attempt."""
    remove_after_commit(current_storage(), job.storage_key)
    job.storage_key = None
    job.lease_until = None
    job.rows_done = 0
    job.error = reason[:300]
    if not final and job.attempts < int(current_app.config["EXPORT_JOB_MAX_ATTEMPTS"]):
        job.status = "queued"
        audit(
            "export.requeued",
            "export_job",
            job.id,
            actor=None,
            data={"attempt": job.attempts, "reason": job.error},
        )
        queue_attempt(job)
        return
    job.status = "failed"
    job.finished_at = now
    audit("export.failed", "export_job", job.id, actor=None, data={"attempts": job.attempts})
    requester = db.session.get(User, job.requester_id)
    if requester is not None:
        notify(
            requester,
            "export_failed",
            "Your export could not be prepared. Ask for it again, or contact support.",
            path_for("lead.export_job", job_id=job.id),
            email_subject="Your export could not be prepared",
        )


# --- The sweep: dead attempts, lost messages, expired files ----------------------------------


@dataclass(frozen=True)
class SweepOutcome:
    requeued: int  # running attempts presumed dead, queued again (or failed)
    resent: int  # queued jobs whose message was lost, sent again
    expired: int  # finished files deleted after their time


def sweep(now: datetime | None = None) -> SweepOutcome:
    """Find attempts whose lease has passed, queued jobs no worker will hear of, and files
    past their time; each job changed in a transaction of its own. Commits."""
    now = now or utcnow()
    requeued = expired = resent = 0
    stale = db.session.scalars(
        select(ExportJob.id).where(ExportJob.status == "running", ExportJob.lease_until < now)
    ).all()
    for job_id in stale:
        job = _locked(job_id)
        if job is not None and job.status == "running" and job.lease_until < now:
            _end_attempt(job, "the worker stopped before the file was finished", now)
            requeued += 1
        db.session.commit()
    old = db.session.scalars(
        select(ExportJob.id).where(ExportJob.status == "done", ExportJob.expires_at <= now)
    ).all()
    for job_id in old:
        job = _locked(job_id)
        if job is not None and job.status == "done" and job.expires_at <= now:
            remove_after_commit(current_storage(), job.storage_key)
            job.status = "expired"
            job.storage_key = None
            audit("export.expired", "export_job", job.id, actor=None, data={"kind": job.kind})
            expired += 1
        db.session.commit()
    if queue.configured():
        waiting = db.session.scalars(
            select(ExportJob).where(
                ExportJob.status == "queued", ExportJob.created_at < now - _lease()
            )
        ).all()
        for job in waiting:
            if not queue.is_waiting(message_id(job)):
                queue.enqueue_now(queue.QueuedCall(RUN_EXPORT, (job.id,), message_id(job)))
                resent += 1
        db.session.rollback()
    return SweepOutcome(requeued, resent, expired)
