"""Evidence a trainee logs against competencies, kept as numbered versions.

What a supervisor reviewed, or a sign-off relied on, must never change under them:
every version keeps its own fields, competency links and content digest, and editing
something that was submitted makes a new version instead of changing the old one.

An item has up to three versions that matter at once: the current one (the trainee's
latest, perhaps a draft only they can see), the shared one (what their supervisors and
leads see) and the accepted one (what counts towards sign-off). While the trainee
revises accepted evidence, the accepted version stays shared and counted; see
`Evidence.shared_version_number`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    case,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.enrolments import Enrolment
    from app.models.frameworks import Competency, EvidenceType
    from app.models.users import User

EVIDENCE_STATUSES = ("draft", "submitted", "changes_requested", "accepted")


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'submitted', 'changes_requested', 'accepted')", name="status"
        ),
        # An enrolment's items, and (read from the index alone) the columns the progress
        # report aggregates for every trainee on a dashboard.
        Index(
            "ix_evidence_enrolment_activity", "enrolment_id", "status", "submitted_at", "updated_at"
        ),
        # One draft per key a trainee's browser chose (see services/portfolio/drafts.py).
        Index("uq_evidence_client_key", "enrolment_id", "client_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    evidence_type_id: Mapped[int] = mapped_column(ForeignKey("evidence_types.id"))
    # Copies of the current version's title and date, so lists can filter and sort.
    title: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    current_version_number: Mapped[int] = mapped_column(default=1)
    # The version a supervisor last accepted: it counts towards sign-off, and stays
    # shared, until a later version is accepted. None until one is.
    accepted_version_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The latest submission; None while the item has never left the trainee's drafts.
    submitted_at: Mapped[datetime | None]
    # The key the trainee's browser gave the draft when it saved it as they typed or sent
    # it from its offline queue; None for items saved by a plain form or the API.
    client_key: Mapped[str | None] = mapped_column(String(64))

    enrolment: Mapped[Enrolment] = relationship()
    evidence_type: Mapped[EvidenceType] = relationship()
    versions: Mapped[list[EvidenceVersion]] = relationship(
        back_populates="evidence",
        order_by="EvidenceVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    current_version: Mapped[EvidenceVersion] = relationship(
        primaryjoin="and_(Evidence.id == foreign(EvidenceVersion.evidence_id), "
        "Evidence.current_version_number == foreign(EvidenceVersion.number))",
        viewonly=True,
        uselist=False,
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="evidence",
        order_by="Attachment.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    # The rule for what everyone but the trainee sees, in Python and in SQL side by side.
    @hybrid_property
    def shared_version_number(self) -> int | None:
        """The version the trainee's supervisors and leads see: the current one once it is
        submitted; while the trainee drafts a revision, the accepted version, if any (a
        draft is the trainee's alone, and what was accepted stays on the record); None
        while nothing is shared."""
        if self.status != "draft":
            return self.current_version_number
        return self.accepted_version_number

    @shared_version_number.inplace.expression
    @classmethod
    def _shared_version_number(cls):
        return case(
            (cls.status != "draft", cls.current_version_number),
            else_=cls.accepted_version_number,
        )

    @hybrid_property
    def shared_status(self) -> str:
        """The status of the shared version: a revision in progress shows as the
        accepted item it revises."""
        if self.status == "draft" and self.accepted_version_number is not None:
            return "accepted"
        return self.status

    @shared_status.inplace.expression
    @classmethod
    def _shared_status(cls):
        return case(
            ((cls.status == "draft") & cls.accepted_version_number.is_not(None), "accepted"),
            else_=cls.status,
        )


class EvidenceVersion(Base):
    __tablename__ = "evidence_versions"
    __table_args__ = (UniqueConstraint("evidence_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[date]
    # The type's form answers (setting, description, reflection, assessment ratings...).
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    # Read from the answers when they are saved (`assessment_forms.assessment_of`), so
    # sufficiency can count in SQL: the assessor's overall judgement against the level
    # expected (below, at, above; None when the form asks none), and the lowest level its
    # rated areas reach (0 below, 1 competent, 2 excellent; None when nothing is rated).
    judgement: Mapped[str | None] = mapped_column(String(10))
    rating_level: Mapped[int | None]
    # sha256 of the canonical JSON of the type, title, date, fields, links and attachment hashes.
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when this version was sent to the supervisor; a version never submitted is private.
    submitted_at: Mapped[datetime | None]

    evidence: Mapped[Evidence] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
    links: Mapped[list[EvidenceLink]] = relationship(
        back_populates="version",
        order_by="EvidenceLink.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @hybrid_property
    def judged_below(self) -> bool:
        """The assessor judged this below the level expected: it stays on the record and is
        shown, but counts towards no sign-off rule."""
        return self.judgement == "below"

    @judged_below.inplace.expression
    @classmethod
    def _judged_below(cls):
        return cls.judgement == "below"


class EvidenceLink(Base):
    """One competency a version claims to show, with the trainee's note on how."""

    __tablename__ = "evidence_links"
    __table_args__ = (UniqueConstraint("evidence_version_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_version_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_versions.id", ondelete="CASCADE")
    )
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[EvidenceVersion] = relationship(back_populates="links")
    competency: Mapped[Competency] = relationship()


class Attachment(Base):
    """A stored file. It belongs to the version it was added in and every later one."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), index=True
    )
    version_number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    # From the file's content (magic bytes), never from its name or the browser.
    media_type: Mapped[str] = mapped_column(String(120))
    # Generated; the user's file name never reaches the file system.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Already made safe for a download's Content-Disposition.
    original_filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    evidence: Mapped[Evidence] = relationship(back_populates="attachments")
