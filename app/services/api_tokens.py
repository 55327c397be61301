"""Bearer tokens for the JSON API."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.users import ApiToken, User
from app.services import audit
from app.services.errors import DomainError

TOKEN_PREFIX = "pcpt_"  # noqa: S105 - a public prefix, not a secret


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str = "", *, actor: User | None = None) -> str:
    """Make a token for `user` and return it; only its digest is kept."""
    if not user.active:
        raise DomainError(f"{user.email} is deactivated", "email")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, label=label.strip()[:100], token_sha256=_digest(token))
    db.session.add(row)
    db.session.flush()
    audit.record("api_token.created", "api_token", row.id, actor=actor, data={"user_id": user.id})
    return token


def user_for_token(token: str) -> User | None:
    """The active user a live token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_sha256 == _digest(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.active:
        return None
    return row.user


def revoke_token(token_id: int, *, actor: User) -> None:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        raise DomainError("That token does not exist or is already revoked")
    row.revoked_at = utcnow()
    db.session.flush()
    audit.record("api_token.revoked", "api_token", row.id, actor=actor)
