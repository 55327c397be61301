"""A trainee's enrolment on one framework version, and who supervises it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.frameworks import Framework
    from app.models.organisations import Cohort
    from app.models.users import User

ENROLMENT_STATUSES = ("active", "paused", "completed", "withdrawn")
ENROLMENT_STATUS_LABELS = {
    "active": "Active",
    "paused": "Paused",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
}
# The training is under way: sessions, reviews and reminders go on; paused is still current.
CURRENT_ENROLMENT_STATUSES = ("active", "paused")
SUPERVISOR_KINDS = ("clinical", "education")
PATHWAY_STATUSES = ("enrolled", "in-progress", "completed", "exempt")
FUNDING_SOURCES = ("arrs", "other")


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'paused', 'completed', 'withdrawn')", name="status"),
        # A trainee has at most one current (active or paused) enrolment; past ones stay
        # for the record.
        Index(
            "uq_enrolments_one_current",
            "trainee_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
        CheckConstraint(
            "pathway_status IN ('enrolled', 'in-progress', 'completed', 'exempt')",
            name="pathway_status",
        ),
        CheckConstraint("funding IN ('arrs', 'other')", name="funding"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    clinical_supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Indexed like the clinical one: "trainees I supervise" asks for either (review queue).
    education_supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    started_on: Mapped[date]
    expected_end_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Programme status for the training pathway, which a lead's exports report.
    pathway_status: Mapped[str] = mapped_column(
        String(20), default="enrolled", server_default="enrolled"
    )
    # An exemption from the pathway is backed by a document (app.services.portfolio.attachments).
    exemption_storage_key: Mapped[str | None] = mapped_column(String(64))
    exemption_sha256: Mapped[str | None] = mapped_column(String(64))
    exemption_size_bytes: Mapped[int | None]
    exemption_media_type: Mapped[str | None] = mapped_column(String(120))
    exemption_filename: Mapped[str | None] = mapped_column(String(255))
    wte: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))  # whole-time equivalent
    protected_learning_days_used: Mapped[Decimal] = mapped_column(
        Numeric(4, 1), default=Decimal(0), server_default="0"
    )
    # The days of protected learning time the employer has planned (None: not recorded).
    protected_learning_days_planned: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    funding: Mapped[str | None] = mapped_column(String(10))  # FUNDING_SOURCES
    afc_band: Mapped[str | None] = mapped_column(String(4))  # Agenda for Change band
    programme_updated_at: Mapped[datetime | None]
    # Withdrawn (final): when, why and by whom (app.services.supervision.enrolment_lifecycle).
    withdrawn_on: Mapped[date | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    framework: Mapped[Framework] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    clinical_supervisor: Mapped[User | None] = relationship(foreign_keys=[clinical_supervisor_id])
    education_supervisor: Mapped[User | None] = relationship(foreign_keys=[education_supervisor_id])


class SupervisorAssignment(Base):
    """History of who supervised an enrolment, and when; the enrolment holds the current one."""

    __tablename__ = "supervisor_assignments"
    __table_args__ = (CheckConstraint("kind IN ('clinical', 'education')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])


class EnrolmentPause(Base):
    """A break in the training: from `paused_from` until `ended_on` (None: still paused).

    The days between do not count towards expected progress (`supervision.pauses`).
    """

    __tablename__ = "enrolment_pauses"
    __table_args__ = (
        CheckConstraint(
            "expected_return_on IS NULL OR expected_return_on > paused_from",
            name="expected_return_after_start",
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= paused_from", name="ended_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    paused_from: Mapped[date]
    expected_return_on: Mapped[date | None]
    ended_on: Mapped[date | None]  # resumed (or withdrawn) on this day
    paused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
