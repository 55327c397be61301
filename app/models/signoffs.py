"""Competency sign-offs, their revocations, and the final sign-off of an enrolment.

All three are professional declarations: rows are only ever inserted (database
triggers refuse UPDATE and DELETE), each carries the sha256 of its own canonical
content, and the audit event written with it repeats that digest in the hash chain.
A revocation is a new row pointing at the sign-off it withdraws.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.enrolments import Enrolment
    from app.models.frameworks import Competency
    from app.models.users import User


class SignOff(Base):
    __tablename__ = "sign_offs"
    __table_args__ = (
        # `sequence` counts the sign-offs of one competency in one enrolment (1, 2, ...).
        # A new one is allowed only once every earlier one is revoked, so two people
        # signing at the same moment compute the same number and one insert fails.
        UniqueConstraint("enrolment_id", "competency_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"))
    sequence: Mapped[int]
    competency_code: Mapped[str] = mapped_column(String(50))
    outcome_code: Mapped[str] = mapped_column(String(50))
    outcome_label: Mapped[str] = mapped_column(String(200))
    proficient: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text)
    # Set when the sufficiency rule was not met: the signer's reason, and what was missing.
    override_justification: Mapped[str | None] = mapped_column(Text)
    unmet_rule: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The signer as they were at that moment: later changes of name or number do not
    # change what was signed.
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_gphc_number: Mapped[str] = mapped_column(String(7))
    # The registration signed with, as it stood (`signers.registration_snapshot`); no
    # foreign key, so the record stands whatever later happens to the registration row.
    signer_registration: Mapped[dict | None] = mapped_column(JSON)
    trainee_name: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text)
    # [{"evidence_id", "version_id", "version", "content_sha256"}, ...] relied on.
    evidence_versions: Mapped[list[dict]] = mapped_column(JSON, default=list)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    record_sha256: Mapped[str] = mapped_column(String(64), unique=True)

    enrolment: Mapped[Enrolment] = relationship()
    competency: Mapped[Competency] = relationship()
    signer: Mapped[User] = relationship()
    revocation: Mapped[SignOffRevocation | None] = relationship(
        back_populates="sign_off", uselist=False, viewonly=True
    )


class SignOffRevocation(Base):
    __tablename__ = "sign_off_revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a sign-off is withdrawn once.
    sign_off_id: Mapped[int] = mapped_column(ForeignKey("sign_offs.id"), unique=True)
    revoked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revoked_by_name: Mapped[str] = mapped_column(String(200))
    revoker_registration: Mapped[dict | None] = mapped_column(JSON)  # as signed, like a sign-off
    reason: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)
    record_sha256: Mapped[str] = mapped_column(String(64), unique=True)

    sign_off: Mapped[SignOff] = relationship(back_populates="revocation")


class Completion(Base):
    """The final sign-off: the enrolment's training is complete."""

    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_gphc_number: Mapped[str] = mapped_column(String(7))
    signer_registration: Mapped[dict | None] = mapped_column(JSON)  # as signed, like a sign-off
    trainee_name: Mapped[str] = mapped_column(String(200))
    framework_label: Mapped[str] = mapped_column(String(400))
    statement: Mapped[str] = mapped_column(Text)
    # What the prerequisites were when they were checked: sign-off ids and digests,
    # the registration and qualification records relied on.
    prerequisites: Mapped[dict] = mapped_column(JSON, default=dict)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    record_sha256: Mapped[str] = mapped_column(String(64), unique=True)

    enrolment: Mapped[Enrolment] = relationship()
