"""Bearer tokens for the JSON API.

A token is shown once, when it is made; only its SHA-256 digest is stored. Every token
has an expiry (API_TOKEN_DAYS by default, at most API_TOKEN_MAX_DAYS) and can be
revoked by its owner or an administrator; either ends it at once. A token is a password
by another name, so whatever ends a person's sessions for safety (a password change,
signing out everywhere, deactivation or reactivation) ends their tokens too
(`revoke_all`), and making one on the account pages needs the password re-entered.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.users import ApiToken, User
from app.services.audit import chain as audit
from app.services.errors import DomainError, NotFound

TOKEN_PREFIX = "pcpt_"  # noqa: S105 - a public prefix, not a secret
LABEL_MAX = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def lifetime_limits() -> tuple[int, int]:
    """(default days, most days) a new token may live."""
    config = current_app.config
    return int(config.get("API_TOKEN_DAYS", 90)), int(config.get("API_TOKEN_MAX_DAYS", 365))


def create_token(
    user: User,
    label: str = "",
    *,
    days: int | None = None,
    actor: User | None = None,
) -> str:
    """Make a token for `user` that lives `days` days and return it; only its digest is kept."""
    if not user.active:
        raise DomainError(f"{user.email} is deactivated", "email")
    label = label.strip()
    if len(label) > LABEL_MAX:
        raise DomainError(f"Labels must be {LABEL_MAX} characters or fewer", "label")
    default_days, most_days = lifetime_limits()
    days = default_days if days is None else days
    if not 1 <= days <= most_days:
        raise DomainError(f"A token must last between 1 and {most_days} days", "days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        label=label,
        token_sha256=_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "api_token.created",
        "api_token",
        row.id,
        actor=actor,
        data={"user_id": user.id, "days": days},
    )
    return token


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """The active user a live (unrevoked, unexpired) token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_sha256 == _digest(token), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    )
    if row is None or _aware(row.expires_at) <= (now or utcnow()) or not row.user.active:
        return None
    return row.user


@dataclass(frozen=True)
class TokenSummary:
    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    live: bool


def tokens_of(user: User, now: datetime | None = None) -> list[TokenSummary]:
    """The user's tokens, newest first, with whether each still works (1 query)."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    )
    return [
        TokenSummary(
            id=row.id,
            label=row.label,
            created_at=_aware(row.created_at),
            expires_at=_aware(row.expires_at),
            revoked_at=_aware(row.revoked_at) if row.revoked_at else None,
            live=row.revoked_at is None and _aware(row.expires_at) > now,
        )
        for row in rows
    ]


def revoke_token(token_id: int, *, actor: User, owner_only: bool = False) -> None:
    """End a token now. Its owner may revoke it, and so may an administrator (unless
    `owner_only`, as on a person's own account page)."""
    row = db.session.get(ApiToken, token_id)
    may = row is not None and (
        row.user_id == actor.id or (actor.has_role("admin") and not owner_only)
    )
    if row is None or not may:
        raise NotFound("That token does not exist")
    if row.revoked_at is not None:
        raise DomainError("That token is already revoked")
    row.revoked_at = utcnow()
    db.session.flush()
    audit.record("api_token.revoked", "api_token", row.id, actor=actor)


def revoke_all(user: User, *, actor: User | None, reason: str) -> int:
    """End every live token of `user` now, as part of ending their sessions; returns how
    many were ended. `reason` says which event it was, for the audit trail."""
    now = utcnow()
    result = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,  # an expired token stays listed as expired
        )
        .values(revoked_at=now)
    )
    ended = result.rowcount or 0  # type: ignore[attr-defined]
    if ended:
        audit.record(
            "api_token.revoked_all",
            "user",
            user.id,
            actor=actor,
            data={"tokens": ended, "reason": reason},
        )
    return ended
