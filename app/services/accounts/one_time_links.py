"""Single-use links sent by e-mail (invitations, password resets, e-mail confirmations).

- A link carries a random token of 256 bits; only its SHA-256 is stored, so a copy of the
  database opens nothing.
- A link has a purpose and works only for it: a reset link cannot accept an invitation.
- A link works once, until it expires, and never after it is withdrawn (a newer link for
  the same thing, an administrator's cancel). Using it is one UPDATE that succeeds only
  while all three still hold, so two tabs, or two servers, cannot both use it.
- A refused link says why (used, expired, withdrawn, unknown), so the page can tell the
  person what to do next.

Callers audit what the link means (an invitation, a reset); this module only keeps links.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.one_time_links import OneTimeLink
from app.models.users import User
from app.services.errors import DomainError

TOKEN_BYTES = 32  # 256 bits from secrets.token_urlsafe: far beyond guessing


class LinkProblem(enum.Enum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class LinkRefused(DomainError):
    """The link cannot be used; `problem` says why."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(f"This link cannot be used ({problem.value})")
        self.problem = problem


@dataclass(frozen=True)
class IssuedLink:
    """A new link and its token: the token goes into the e-mail and nowhere else."""

    link: OneTimeLink
    token: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    purpose: str,
    *,
    lifetime: timedelta,
    user: User | None = None,
    email: str | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> IssuedLink:
    """A new link for `purpose`; earlier open links of the same user and purpose are
    withdrawn, so only the newest e-mail works."""
    now = now or utcnow()
    if user is not None:
        withdraw(purpose, user, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = OneTimeLink(
        purpose=purpose,
        token_hash=digest(token),
        user_id=user.id if user is not None else None,
        email=email,
        created_at=now,
        expires_at=now + lifetime,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(link)
    db.session.flush()
    return IssuedLink(link, token)


def _open(now: datetime):
    return (
        OneTimeLink.used_at.is_(None),
        OneTimeLink.withdrawn_at.is_(None),
        OneTimeLink.expires_at > now,
    )


def withdraw(purpose: str, user: User, *, now: datetime | None = None) -> int:
    """Withdraw every open link of `user` for `purpose`; returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        update(OneTimeLink)
        .where(OneTimeLink.user_id == user.id, OneTimeLink.purpose == purpose, *_open(now))
        .values(withdrawn_at=now),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount or 0


def open_link(purpose: str, user: User, *, now: datetime | None = None) -> OneTimeLink | None:
    """The newest open link of `user` for `purpose`, if any."""
    now = now or utcnow()
    return db.session.scalar(
        select(OneTimeLink)
        .where(OneTimeLink.user_id == user.id, OneTimeLink.purpose == purpose, *_open(now))
        .order_by(OneTimeLink.created_at.desc(), OneTimeLink.id.desc())
        .limit(1)
    )


def _problem(link: OneTimeLink | None, now: datetime) -> LinkProblem | None:
    if link is None:
        return LinkProblem.UNKNOWN
    if link.used_at is not None:
        return LinkProblem.USED
    if link.withdrawn_at is not None:
        return LinkProblem.WITHDRAWN
    if link.expires_at <= now:
        return LinkProblem.EXPIRED
    return None


def _find(purpose: str, token: str) -> OneTimeLink | None:
    if not token or len(token) > 200:
        return None
    # Read afresh: after a refused UPDATE the row says what another request did to it.
    return db.session.scalar(
        select(OneTimeLink)
        .where(OneTimeLink.token_hash == digest(token), OneTimeLink.purpose == purpose)
        .execution_options(populate_existing=True)
    )


def check(purpose: str, token: str, *, now: datetime | None = None) -> OneTimeLink:
    """The link, while it could still be used; otherwise LinkRefused. Uses nothing up."""
    now = now or utcnow()
    link = _find(purpose, token)
    problem = _problem(link, now)
    if problem is not None:
        raise LinkRefused(problem)
    assert link is not None
    return link


def consume(purpose: str, token: str, *, now: datetime | None = None) -> OneTimeLink:
    """Use the link up, in one UPDATE that only an open link passes; LinkRefused if it
    is not open (or another request used it first)."""
    now = now or utcnow()
    result = db.session.execute(
        update(OneTimeLink)
        .where(
            OneTimeLink.token_hash == digest(token),
            OneTimeLink.purpose == purpose,
            *_open(now),
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    link = _find(purpose, token)
    if result.rowcount != 1 or link is None:
        raise LinkRefused(_problem(link, now) or LinkProblem.USED)
    return link
