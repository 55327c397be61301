"""Exports too large for one web request: prepared by a worker, kept for a day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

EXPORT_JOB_STATUSES = ("queued", "running", "done", "failed", "expired")
EXPORT_JOB_KINDS = ("progress-csv", "competencies-csv", "progress-xlsx")


class ExportJob(Base):
    """One export a lead or supervisor asked for: its filters, progress and finished file.

    `storage_key` names the file an attempt writes; it is offered only once `status` is
    "done" (the attempt wrote it whole), and deleted when the job expires or is retried.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'expired')", name="status"
        ),
        CheckConstraint(
            "kind IN ('progress-csv', 'competencies-csv', 'progress-xlsx')", name="kind"
        ),
        Index("ix_export_jobs_requester_id_created_at", "requester_id", "created_at"),
        Index("ix_export_jobs_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # The dashboard's filters as ids and a flag name (ReportFilters' fields).
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    # The day the report is "as of": a retry writes the same report.
    report_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="queued")
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    storage_key: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    # A running attempt renews this as it writes; once it passes, the attempt is presumed
    # dead (its worker was killed) and the job is queued again.
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
