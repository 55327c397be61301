"""Assessment requests ("tickets"): a named assessor, who has no account, is asked by
e-mail to complete the assessor's part of one evidence item.

The request keeps who was asked, the one-time link that opens the form (only its hash,
in `one_time_links`), the e-mailed confirmation code (only its keyed hash), and, once
the assessor submits, their answers, the identity they confirmed and the evidence
version they assessed. Nothing here is editable by the trainee.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.one_time_links import OneTimeLink

if TYPE_CHECKING:
    from app.models.evidence import Evidence
    from app.models.users import User


class AssessmentRequest(Base):
    __tablename__ = "assessment_requests"
    __table_args__ = (
        Index("ix_assessment_requests_evidence", "evidence_id", "completed_at"),
        Index("ix_assessment_requests_trainee_created", "requested_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"))
    link_id: Mapped[int] = mapped_column(
        ForeignKey("one_time_links.id", ondelete="CASCADE"), unique=True
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who the trainee asked; the form's identity questions start from these.
    assessor_name: Mapped[str] = mapped_column(String(200))
    assessor_email: Mapped[str] = mapped_column(String(254))
    assessor_role: Mapped[str] = mapped_column(String(40))
    assessor_number: Mapped[str | None] = mapped_column(String(20))
    # The 6-digit code last e-mailed to the assessor: an HMAC of it, never the code.
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None]
    code_attempts: Mapped[int] = mapped_column(default=0)
    codes_sent: Mapped[int] = mapped_column(default=0)
    identity_confirmed_at: Mapped[datetime | None]
    # Set once, at submission, with the link used up in the same transaction.
    completed_at: Mapped[datetime | None]
    version_number: Mapped[int | None]
    in_person: Mapped[bool] = mapped_column(default=False)
    # The assessor's answers and the identity they confirmed (name, role, number).
    answers: Mapped[dict] = mapped_column(JSON, default=dict)

    evidence: Mapped[Evidence] = relationship()
    link: Mapped[OneTimeLink] = relationship()
    requested_by: Mapped[User] = relationship()
