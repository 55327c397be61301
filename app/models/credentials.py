"""Open Badges 3.0 credentials the service issued, one per completed enrolment.

The signed credential is kept as the exact JSON text handed to the technician, so a
download always verifies. Its place in the revocation status list (list number and index
within it, from the service-wide `status_sequence`) is allocated once, at issuance.
`revoked_at` is set when the completion is revoked (the status list then says so).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.enrolments import Enrolment
    from app.models.signoffs import Completion


class IssuedCredential(Base):
    __tablename__ = "issued_credentials"
    __table_args__ = (UniqueConstraint("status_list", "status_list_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The credential's id is <BASE_URL>/credentials/<public_id> (a uuid4).
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), unique=True)
    status_sequence: Mapped[int] = mapped_column(unique=True)
    status_list: Mapped[int]
    status_list_index: Mapped[int]
    # The verification method (issuer id # public key) of the key that signed it.
    verification_method: Mapped[str] = mapped_column(String(300))
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Who revoked it (their name as it was) and why, kept like a sign-off's revocation.
    revoked_by_name: Mapped[str | None] = mapped_column(String(200))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    enrolment: Mapped[Enrolment] = relationship()
    completion: Mapped[Completion] = relationship()
