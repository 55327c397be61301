"""The trainee's development on the pathway (CPPE PCPEP): the learning needs analysis at
the start, the personal development plan's objectives and their reviews, and the stages
(entry, intermediate, advanced) the trainee reaches, each from a recorded date."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.frameworks import Competency, ScaleValue
    from app.models.users import User

PATHWAY_STAGES = ("entry", "intermediate", "advanced")
OBJECTIVE_STATUSES = ("open", "achieved")
REVIEW_OUTCOMES = ("continuing", "achieved")

objective_competencies = Table(
    "objective_competencies",
    Base.metadata,
    Column(
        "objective_id",
        ForeignKey("development_objectives.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("competency_id", ForeignKey("competencies.id"), primary_key=True),
)


class LearningNeedsAnalysis(Base):
    """One per enrolment: the trainee's self-rating of every competency, then their
    supervisor's comment on it."""

    __tablename__ = "learning_needs_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
    supervisor_comment: Mapped[str | None] = mapped_column(Text)
    commented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commented_at: Mapped[datetime | None]

    ratings: Mapped[list[LearningNeedRating]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan"
    )
    commented_by: Mapped[User | None] = relationship()


class LearningNeedRating(Base):
    __tablename__ = "learning_need_ratings"
    __table_args__ = (UniqueConstraint("analysis_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("learning_needs_analyses.id", ondelete="CASCADE")
    )
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"))
    scale_value_id: Mapped[int] = mapped_column(ForeignKey("scale_values.id"))

    analysis: Mapped[LearningNeedsAnalysis] = relationship(back_populates="ratings")
    competency: Mapped[Competency] = relationship()
    scale_value: Mapped[ScaleValue] = relationship()


class DevelopmentObjective(Base):
    """An objective of the personal development plan, due by `target_on`."""

    __tablename__ = "development_objectives"
    __table_args__ = (CheckConstraint("status IN ('open', 'achieved')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    target_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="open")
    achieved_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    competencies: Mapped[list[Competency]] = relationship(
        secondary=objective_competencies, order_by="Competency.position"
    )
    reviews: Mapped[list[ObjectiveReview]] = relationship(
        back_populates="objective", order_by="ObjectiveReview.id"
    )


class ObjectiveReview(Base):
    """A supervisor's review of an objective, at a supervision session or on its own."""

    __tablename__ = "objective_reviews"
    __table_args__ = (CheckConstraint("outcome IN ('continuing', 'achieved')", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("development_objectives.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_sessions.id"), index=True
    )
    reviewed_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    objective: Mapped[DevelopmentObjective] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()


class PathwayStage(Base):
    """The day the trainee entered a stage of the pathway; the next stage's day ends it."""

    __tablename__ = "pathway_stages"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "stage"),
        CheckConstraint("stage IN ('entry', 'intermediate', 'advanced')", name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()
