"""A supervisor's decision on one evidence version: append-only, one per version."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.evidence import EvidenceVersion
    from app.models.users import User


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("decision IN ('accepted', 'changes_requested')", name="decision"),
        # An item's reviews, and each enrolment's latest review read from the index alone.
        Index("ix_reviews_evidence_created", "evidence_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    # The version the reviewer saw. A version is reviewed once: after a decision the item
    # only returns to review as a new version, so two decisions on one version are a race.
    evidence_version_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_versions.id"), unique=True
    )
    version_number: Mapped[int]
    content_sha256: Mapped[str] = mapped_column(String(64))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewer: Mapped[User] = relationship()
    version: Mapped[EvidenceVersion] = relationship()
