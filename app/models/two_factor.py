"""Two-factor sign-in: a person's authenticator (TOTP) secret and their recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class TwoFactor(Base):
    """One row per person who has started or finished setting up an authenticator app.

    `secret` is the confirmed secret (two-factor is on when it is set); `pending_secret`
    is one shown on the set-up page and not yet confirmed with a code from the app.
    `last_step` is the 30-second time step of the last code accepted, so the same code,
    or an earlier one, is never accepted again.
    """

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str | None] = mapped_column(String(64))
    pending_secret: Mapped[str | None] = mapped_column(String(64))
    enabled_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(Base):
    """A single-use code for signing in without the authenticator app. Only its SHA-256
    is kept; the codes are shown once, when made."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
