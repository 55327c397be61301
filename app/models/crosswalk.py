"""How a framework version relates to the one it follows, and trainees moved between them.

`FrameworkSuccession` and `CompetencyCrosswalk` are written once, when a version is
imported, from its `follows` and its competencies' `replaces`, `merges` and
`splits_from`. A `FrameworkMove` records one enrolment moved from one version to the
next, with the gap analysis (what carried over, what needs a new sign-off, what is new,
what ended); `SignOffCarryOver` ties a sign-off carried through `replaces` to the
original, which stays as it was signed; `GapAnalysisSignature` is the clinical
supervisor's signed record that they have reviewed the gap analysis.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.enrolments import Enrolment
    from app.models.frameworks import Competency, Framework
    from app.models.signoffs import SignOff


class FrameworkSuccession(Base):
    """A version and the version it follows (`follows` in its file)."""

    __tablename__ = "framework_successions"

    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), primary_key=True
    )
    follows_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"), index=True)

    framework: Mapped[Framework] = relationship(foreign_keys=[framework_id])
    follows: Mapped[Framework] = relationship(foreign_keys=[follows_id])


class CompetencyCrosswalk(Base):
    """One claim of a competency on a competency of the version followed."""

    __tablename__ = "competency_crosswalk"
    __table_args__ = (
        CheckConstraint("kind IN ('replaces', 'merges', 'splits_from')", name="kind"),
        UniqueConstraint("competency_id", "old_competency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    old_competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)

    competency: Mapped[Competency] = relationship(foreign_keys=[competency_id])
    old_competency: Mapped[Competency] = relationship(foreign_keys=[old_competency_id])


class FrameworkMove(Base):
    """An enrolment moved from one framework version to the next, once."""

    __tablename__ = "framework_moves"
    # Once per enrolment and target: a second move of the same trainee cannot slip in.
    __table_args__ = (UniqueConstraint("enrolment_id", "to_framework_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    from_framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    to_framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The gap analysis: {"carried_over": [...], "re_sign_off": [...], "continued": [...],
    # "new": [...], "ended": [...]}, each entry naming competencies by id, code and title.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    record_sha256: Mapped[str] = mapped_column(String(64), unique=True)

    enrolment: Mapped[Enrolment] = relationship()
    from_framework: Mapped[Framework] = relationship(foreign_keys=[from_framework_id])
    to_framework: Mapped[Framework] = relationship(foreign_keys=[to_framework_id])
    signature: Mapped[GapAnalysisSignature | None] = relationship(
        back_populates="move", uselist=False, viewonly=True
    )


class SignOffCarryOver(Base):
    """A sign-off carried to a new version through `replaces`: `sign_off` is the new
    record against the new competency, `original` the one signed against the old."""

    __tablename__ = "sign_off_carry_overs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sign_off_id: Mapped[int] = mapped_column(ForeignKey("sign_offs.id"), unique=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("sign_offs.id"), index=True)
    move_id: Mapped[int] = mapped_column(ForeignKey("framework_moves.id"), index=True)

    sign_off: Mapped[SignOff] = relationship(foreign_keys=[sign_off_id])
    original: Mapped[SignOff] = relationship(foreign_keys=[original_id])


class GapAnalysisSignature(Base):
    """The clinical supervisor's signed review of a move's gap analysis."""

    __tablename__ = "gap_analysis_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    move_id: Mapped[int] = mapped_column(ForeignKey("framework_moves.id"), unique=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_gphc_number: Mapped[str] = mapped_column(String(7))
    signer_registration: Mapped[dict | None] = mapped_column(JSON)
    trainee_name: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    statement: Mapped[str] = mapped_column(Text)
    move_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    record_sha256: Mapped[str] = mapped_column(String(64), unique=True)

    move: Mapped[FrameworkMove] = relationship(back_populates="signature")
