"""GPhC registration records. Each change is a new row, so the history is kept."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.users import User

REGISTERS = ("pharmacy-technician", "pharmacist")
REGISTRATION_STATUSES = ("trainee", "registered", "lapsed", "removed")


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("register IN ('pharmacy-technician', 'pharmacist')", name="register"),
        CheckConstraint("status IN ('trainee', 'registered', 'lapsed', 'removed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    register: Mapped[str] = mapped_column(String(30))
    number: Mapped[str | None] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(20))
    registered_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
