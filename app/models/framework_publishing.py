"""Framework files uploaded in the pages, held between the preview and publishing.

A lead or administrator uploads a framework file; once it passes every check it is kept
here so the preview and the confirmed publishing read the same bytes (the app servers
keep nothing between requests). Publishing imports it through the same service as
`frameworks import` and records who published it, when, and the version it became.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.frameworks import Framework
    from app.models.users import User

# The validator's cap (MAX_FRAMEWORK_BYTES): a text never has more characters than bytes.
MAX_UPLOAD_CHARACTERS = 1_048_576


class FrameworkUpload(Base):
    __tablename__ = "framework_uploads"
    __table_args__ = (
        CheckConstraint(f"length(yaml_text) <= {MAX_UPLOAD_CHARACTERS}", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The file's `id` and `version`, as read when it passed the checks.
    framework_code: Mapped[str] = mapped_column(String(100))
    framework_version: Mapped[str] = mapped_column(String(50))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    framework_id: Mapped[int | None] = mapped_column(ForeignKey("frameworks.id"))

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    framework: Mapped[Framework | None] = relationship()
