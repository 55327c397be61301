"""GPhC registration, the Level 3 qualification, pre-registration training time and
revalidation: the records a trainee or registered technician keeps about their status
with the regulator.

How history is kept differs by record, on purpose:
- Registration: each change is a new row (the newest is current), so the register's
  history stays readable and a verification belongs to exactly the values it checked.
- Qualification: one row per person, changed in place; every change is audited with a
  digest of the values, and any change of substance clears the verification.
- Training weeks, declarations, revalidation records, exceptional circumstances: one row
  each; every write is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.users import User

REGISTERS = ("pharmacy-technician", "pharmacist")
REGISTRATION_STATUSES = ("trainee", "registered", "lapsed", "removed")
QUALIFICATION_STATUSES = ("not-started", "enrolled", "in-progress", "achieved")
REVALIDATION_KINDS = ("cpd-planned", "cpd-unplanned", "peer-discussion", "reflective-account")


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
    # The start of the current registration year, when renewed since joining: the expiry
    # is at most 13 months after it (or after `registered_on` before any renewal).
    renewed_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    # Set on this row only: a change is a new row, so it starts unverified.
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class SignerStanding(Base):
    """For each person holding the supervisor role, the days on which their latest
    registration stands for a sign-off (`registration.signers.standing_span`): from
    `stands_from` to `stands_until`, both None when it stands on none. Written in the
    transaction that changes a registration or the role (`registration.signer_upkeep`),
    so the supervisors who cannot sign today are an index range, not a probe of each."""

    __tablename__ = "signer_standings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    stands_from: Mapped[date | None] = mapped_column(index=True)
    stands_until: Mapped[date | None] = mapped_column(index=True)


class Qualification(Base):
    """A person's Level 3 qualification (one per person, changed in place and audited)."""

    __tablename__ = "qualifications"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not-started', 'enrolled', 'in-progress', 'achieved')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    # A registration_rules.QUALIFICATION_KINDS key; the list lives in code, not the schema.
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(300))  # needed for kind "other"
    awarding_body: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[date | None]  # the course start, for the registration deadline
    achieved_on: Mapped[date | None]  # also the course end
    # The older two-part route: when each part was achieved (`achieved_on` is the later).
    first_part_achieved_on: Mapped[date | None]
    second_part_achieved_on: Mapped[date | None]
    # Why an "other" qualification should count, for the verifier to weigh.
    justification: Mapped[str | None] = mapped_column(Text)
    # The certificate, stored by app.services.portfolio.attachments.store_file.
    certificate_storage_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    certificate_size_bytes: Mapped[int | None]
    certificate_media_type: Mapped[str | None] = mapped_column(String(120))
    certificate_filename: Mapped[str | None] = mapped_column(String(255))
    certificate_uploaded_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])


class TrainingPeriod(Base):
    """When a pre-registration trainee's work-based experience began."""

    __tablename__ = "training_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    started_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TrainingWeek(Base):
    """One week of work-based experience; a week is logged once and then corrected."""

    __tablename__ = "training_weeks"
    __table_args__ = (
        UniqueConstraint("user_id", "week_starting"),
        CheckConstraint(
            "hours >= 0 AND hours <= 168 AND supervised_hours >= 0 AND supervised_hours <= hours",
            name="hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    week_starting: Mapped[date]  # a Monday
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # Hours directly accountable to a pharmacist or pharmacy technician.
    supervised_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    supervisor_name: Mapped[str] = mapped_column(String(200), default="")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TrainingDeclaration(Base):
    """The supervising pharmacy professional's declaration of a period of training.

    The statement is stored exactly as the declarant confirmed it, with their GPhC number
    and a digest of the weeks it covered, so later edits cannot change what was declared.
    """

    __tablename__ = "training_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    declarant_gphc_number: Mapped[str] = mapped_column(String(7))
    # The declarant's registration as it stood when they signed (register, number, expiry).
    declarant_registration: Mapped[dict | None] = mapped_column(JSON)
    period_start: Mapped[date]
    period_end: Mapped[date]
    counted_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    weeks_sha256: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    declared_by: Mapped[User] = relationship(foreign_keys=[declared_by_id])


class RevalidationRecord(Base):
    """A CPD record, peer discussion or reflective account for one registration year."""

    __tablename__ = "revalidation_records"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('cpd-planned', 'cpd-unplanned', 'peer-discussion', 'reflective-account')",
            name="kind",
        ),
        Index("ix_revalidation_records_user_year", "user_id", "year_ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    # The registration year's last day (the renewal deadline) it is submitted for.
    year_ends_on: Mapped[date]
    occurred_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    # Answers to the GPhC's prompts for this kind, keyed by prompt name.
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    standards: Mapped[list[int]] = mapped_column(JSON, default=list)  # GPhC standard numbers
    # Peer discussions only: peer name and role and the three confirmations.
    peer_declaration: Mapped[dict | None] = mapped_column(JSON)
    # Provenance only, deliberately not a foreign key: the text was copied, so the record
    # stands whatever later happens to the evidence item.
    copied_from_evidence_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExceptionalCircumstances(Base):
    """A registration year in which the revalidation requirement is reduced."""

    __tablename__ = "exceptional_circumstances"
    __table_args__ = (UniqueConstraint("user_id", "year_ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year_ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The GPhC's agreement to the reduction: until both are recorded the full rule applies.
    gphc_agreed_on: Mapped[date | None]
    gphc_reference: Mapped[str | None] = mapped_column(String(100))
