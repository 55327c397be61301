"""A trainee's enrolment on one framework version, and who supervises it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.frameworks import Framework
    from app.models.organisations import Cohort
    from app.models.users import User

ENROLMENT_STATUSES = ("active", "paused", "completed", "withdrawn")
SUPERVISOR_KINDS = ("clinical", "education")


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'paused', 'completed', 'withdrawn')", name="status"),
        # A trainee has at most one active enrolment; past ones stay for the record.
        Index(
            "uq_enrolments_one_active",
            "trainee_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    clinical_supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    education_supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_on: Mapped[date]
    expected_end_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

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
