"""Exports too large for one web request, prepared by a worker and kept for a day.

The rules, as a lead would read them:
- An export of more rows than `EXPORT_INLINE_MAX_ROWS` goes to the queue when one is
  configured (`REDIS_URL`); otherwise, and for smaller exports, it streams in the request.
- Only the person who asked sees the job and downloads its file; anyone else gets a 404.
- An attempt claims the job (running, a new storage key, a lease), renews the lease as it
  writes rows, and marks the job done only after the whole file is stored. Nothing is
  offered until then.
- An attempt whose lease has passed is presumed dead (its worker was killed): its partial
  file is deleted and the job queued again, `EXPORT_JOB_MAX_ATTEMPTS` attempts in all.
  An attempt that finds the job is no longer its own stops and deletes its file.
- A finished file is kept `EXPORT_KEEP_HOURS` (24), then deleted; the job says so.
- The person who asked is told by e-mail (and in the app) when the file is ready or
  could not be made.
Services flush and audit; the caller commits. A worker's attempts and the sweep are in
`export_attempts` (each of their steps commits itself).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.export_jobs import EXPORT_JOB_KINDS, ExportJob
from app.models.frameworks import Competency
from app.models.users import User
from app.services.audit.chain import record as audit
from app.services.errors import DomainError
from app.services.jobs import queue
from app.services.reporting.scope import ReportFilters, enrolment_ids, scope_for
from app.services.storage.sweep import register_key_column

RUN_EXPORT = "app.services.jobs.tasks.run_export"
NAMESPACE = "exports"
# The orphan sweep (`flask storage sweep`) leaves alone a file a job still points to.
register_key_column(ExportJob.storage_key, namespace=NAMESPACE)


@dataclass(frozen=True)
class ExportKind:
    label: str
    media_type: str
    stem: str
    extension: str


KINDS: dict[str, ExportKind] = {
    "progress-csv": ExportKind(
        "Progress, one row per trainee (CSV)", "text/csv", "progress", "csv"
    ),
    "competencies-csv": ExportKind(
        "Competencies, one row per trainee and competency (CSV)",
        "text/csv",
        "competencies",
        "csv",
    ),
    "progress-xlsx": ExportKind(
        "Both, as a spreadsheet (XLSX)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "progress",
        "xlsx",
    ),
}
assert set(KINDS) == set(EXPORT_JOB_KINDS)

STATUS_LABELS = {
    "queued": "Waiting to start",
    "running": "Being prepared",
    "done": "Ready to download",
    "failed": "Could not be prepared",
    "expired": "No longer kept",
}


def keep_hours() -> int:
    return int(current_app.config["EXPORT_KEEP_HOURS"])


def kind_of(job: ExportJob) -> ExportKind:
    return KINDS[job.kind]


def filename(job: ExportJob) -> str:
    kind = kind_of(job)
    return f"{kind.stem}-{job.report_on.isoformat()}.{kind.extension}"


def filters_of(job: ExportJob) -> ReportFilters:
    return ReportFilters(**job.filters)


# --- How big an export is ---------------------------------------------------------------


def rows_for(viewer: User, filters: ReportFilters, kind: str) -> int:
    """The rows the export will have (before a flag filter, which only narrows it):
    trainees, trainee x competency rows, or both sheets' together."""
    in_scope = enrolment_ids(scope_for(viewer), filters)
    trainees = 0
    if kind in ("progress-csv", "progress-xlsx"):
        trainees = db.session.scalar(select(func.count()).select_from(in_scope.subquery())) or 0
    competencies = 0
    if kind in ("competencies-csv", "progress-xlsx"):
        competencies = (
            db.session.scalar(
                select(func.count(Competency.id))
                .join(Enrolment, Enrolment.framework_id == Competency.framework_id)
                .where(Enrolment.id.in_(in_scope))
            )
            or 0
        )
    return trainees + competencies


def background_kinds(viewer: User, filters: ReportFilters) -> frozenset[str]:
    """The exports that go to the queue for these filters (none without a queue)."""
    if not queue.configured():
        return frozenset()
    limit = int(current_app.config["EXPORT_INLINE_MAX_ROWS"])
    trainees = rows_for(viewer, filters, "progress-csv")
    competencies = rows_for(viewer, filters, "competencies-csv")
    sizes = {
        "progress-csv": trainees,
        "competencies-csv": competencies,
        "progress-xlsx": trainees + competencies,
    }
    return frozenset(kind for kind, rows in sizes.items() if rows > limit)


def runs_in_background(viewer: User, filters: ReportFilters, kind: str) -> bool:
    """True when this export goes to the queue: one is configured and it is too large to
    stream in a request. Without a queue this reads nothing."""
    if not queue.configured():
        return False
    return rows_for(viewer, filters, kind) > int(current_app.config["EXPORT_INLINE_MAX_ROWS"])


# --- Asking, and what the person who asked sees ----------------------------------------------


def request_export(viewer: User, filters: ReportFilters, kind: str, *, today: date) -> ExportJob:
    """Queue an export for `viewer` (queued once the caller commits)."""
    if kind not in KINDS:
        raise DomainError("Choose an export to prepare")
    if not queue.configured():
        raise DomainError("Exports are not prepared in the background here: download it instead")
    job = ExportJob(
        requester_id=viewer.id,
        kind=kind,
        filters=asdict(filters),
        report_on=today,
        status="queued",
        rows_total=rows_for(viewer, filters, kind),
    )
    db.session.add(job)
    db.session.flush()
    audit(
        "export.requested",
        "export_job",
        job.id,
        actor=viewer,
        data={"kind": kind, "rows_total": job.rows_total},
    )
    queue_attempt(job)
    return job


def queue_attempt(job: ExportJob) -> None:
    # One message per attempt: a message of the same id still waiting is not sent twice.
    queue.enqueue_after_commit(RUN_EXPORT, job.id, job_id=message_id(job))


def message_id(job: ExportJob) -> str:
    # The queue's name in it keeps two services sharing one Redis apart.
    return f"{current_app.config['JOBS_QUEUE']}-export-{job.id}-{job.attempts}"


def job_for(viewer: User, job_id: int) -> ExportJob | None:
    """The job if `viewer` asked for it, else None (a 404)."""
    job = db.session.get(ExportJob, job_id)
    return job if job is not None and job.requester_id == viewer.id else None


def recent_jobs(viewer: User, limit: int = 20) -> list[ExportJob]:
    return list(
        db.session.scalars(
            select(ExportJob)
            .where(ExportJob.requester_id == viewer.id)
            .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
            .limit(limit)
        )
    )


def downloadable(job: ExportJob, now: datetime | None = None) -> bool:
    """The file is whole and still kept."""
    now = now or utcnow()
    return (
        job.status == "done"
        and job.storage_key is not None
        and job.expires_at is not None
        and job.expires_at > now
    )


def percent(job: ExportJob) -> int:
    if job.status == "done":
        return 100
    if not job.rows_total:
        return 0
    return min(100, job.rows_done * 100 // job.rows_total)


def progress_words(job: ExportJob) -> str:
    """'12,000 of 50,000 rows' (what the bar shows, in words)."""
    return f"{job.rows_done:,} of {job.rows_total:,} rows"


def status_view(job: ExportJob, now: datetime | None = None) -> dict:
    """What the status endpoint answers and the page's script shows."""
    ready = downloadable(job, now)
    return {
        "id": job.id,
        "status": job.status,
        "status_label": STATUS_LABELS[job.status],
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": percent(job),
        "progress_text": progress_words(job),
        "finished": job.status in ("done", "failed", "expired"),
        "ready": ready,
        "expires_at": job.expires_at.isoformat() if job.expires_at and ready else None,
    }
