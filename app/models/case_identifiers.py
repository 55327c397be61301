"""The identifiers a CASE 1.1 package gave a framework version's objects, kept on import.

A version imported from YAML has no rows here: its CASE identifiers are derived (uuid5,
app.services.frameworks.case_identifiers). A version imported from a CASE package keeps
the package's own identifiers, so exporting it gives them back.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class CaseIdentifier(Base):
    """One object of a framework version (the document, an item, an association), named
    by `key` (e.g. `competency/D1.1`, `isChildOf/competency/D1.1`), and its CASE UUID."""

    __tablename__ = "case_identifiers"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    # A CASE identifier names one object everywhere, so no two rows share one.
    identifier: Mapped[str] = mapped_column(String(36), unique=True)
