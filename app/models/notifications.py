"""In-app notifications, and the record of daily e-mail digests already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

NOTIFICATION_KINDS = (
    "evidence_submitted",
    "evidence_accepted",
    "changes_requested",
    "signed_off",
    "sign_off_revoked",
    "completed",
    "session_recorded",
)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class SubmissionDigest(Base):
    """One e-mail a supervisor got about newly submitted evidence: at most one a day."""

    __tablename__ = "submission_digests"
    __table_args__ = (UniqueConstraint("user_id", "digest_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    digest_on: Mapped[date]
    # The latest submission this digest covered; the next digest starts after it.
    covered_until: Mapped[datetime]
    item_count: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
