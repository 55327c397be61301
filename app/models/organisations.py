"""Organisations (a tree such as training hub > PCN > practice) and cohorts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

ORGANISATION_KINDS = ("region", "icb", "training-hub", "pcn", "practice", "other")


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    ods_code: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # False: its people (and those of every organisation inside it) sign in only through
    # single sign-on (`services.accounts.sign_in_policy`).
    password_sign_in: Mapped[bool] = mapped_column(default=True, server_default=true())

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r} ({self.kind})>"


class OrganisationPath(Base):
    """The tree's closure: a row for each organisation and each organisation at or above
    it, `depth` steps up (0: itself). A subtree is then one indexed lookup, and the
    planner's statistics say how large it is, where a recursive walk left it guessing.
    Kept by `services.accounts.organisations`, which checks it against the parents."""

    __tablename__ = "organisation_paths"

    ancestor_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    depth: Mapped[int]


class Cohort(Base):
    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    framework_id: Mapped[int | None] = mapped_column(ForeignKey("frameworks.id"))
    starts_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
