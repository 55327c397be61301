"""Clinical supervision sessions: the pathway expects at least one a month."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.users import User


class SupervisionSession(Base):
    __tablename__ = "supervision_sessions"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440", name="duration"),
        Index("ix_supervision_sessions_enrolment_held_on", "enrolment_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    held_on: Mapped[date]
    duration_minutes: Mapped[int]
    topics: Mapped[str] = mapped_column(Text)
    agreed_actions: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Held by the enrolment's clinical supervisor when recorded: only these count towards
    # the pathway's monthly rule; sessions with others are kept and shown apart.
    by_clinical_supervisor: Mapped[bool] = mapped_column(default=False, server_default=false())

    supervisor: Mapped[User] = relationship()
