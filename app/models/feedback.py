"""Multi-source feedback: a framework's rule, a trainee's rounds, the raters nominated and
their anonymous responses.

A response carries no link to the rater who gave it: its key is random (so the order of
rows says nothing), it keeps no time, and only the rater group it counts towards. The
rater row says only whether that person has answered, so reminders skip them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.enrolments import Enrolment

ROUND_STATUSES = ("open", "valid", "invalid", "released")


class MsfRuleRecord(Base):
    """A framework version's `msf` block, as imported (never edited)."""

    __tablename__ = "msf_rules"

    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), primary_key=True
    )
    evidence_type_code: Mapped[str] = mapped_column(String(50))
    min_responses: Mapped[int]
    advised_responses: Mapped[int]
    window_days: Mapped[int]
    min_gap_days: Mapped[int]
    report_threshold: Mapped[int]
    # [{"id", "label", "roles": [...], "min_responses"}] in the file's order.
    groups: Mapped[list] = mapped_column(JSON, default=list)


class FeedbackRound(Base):
    __tablename__ = "msf_rounds"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'valid', 'invalid', 'released')", name="status"),
        Index("ix_msf_rounds_enrolment", "enrolment_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raters' links stop working at this moment: the end of the window.
    closes_at: Mapped[datetime]
    # The rule the round is judged by, copied when it opened (MsfRuleRecord's columns).
    rule: Mapped[dict] = mapped_column(JSON, default=dict)
    last_reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    # Responses per group when it closed, so the decision stays explained.
    counts_at_close: Mapped[dict | None] = mapped_column(JSON)
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship()
    raters: Mapped[list[FeedbackRater]] = relationship(
        back_populates="round", order_by="FeedbackRater.id", cascade="all, delete-orphan"
    )


class FeedbackRater(Base):
    __tablename__ = "msf_raters"
    __table_args__ = (UniqueConstraint("round_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("msf_rounds.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(30))
    nominated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The newest link sent (a reminder sends a new one and withdraws the old).
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("one_time_links.id", ondelete="SET NULL")
    )
    answered: Mapped[bool] = mapped_column(default=False)
    reminders: Mapped[int] = mapped_column(default=0)

    round: Mapped[FeedbackRound] = relationship(back_populates="raters")


class FeedbackResponse(Base):
    __tablename__ = "msf_responses"

    # Random, not a sequence: the order of responses must not match the order of raters.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("msf_rounds.id", ondelete="CASCADE"), index=True
    )
    # The rater group it counts towards ("" when the rater's role is in no group).
    rater_group: Mapped[str] = mapped_column(String(50))
    # {"ratings": {question id: "1".."5" | "n/a"}, "strengths": str, "improvements": str}
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
