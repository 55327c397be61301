"""Session rules: the session version, idle and absolute time-outs, fresh sign-in."""

from __future__ import annotations

import time

from flask import current_app, request, session
from flask_login import current_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.users import User
from app.services.accounts import api_tokens

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
FRESH_AT = "fresh_at"
# The idle clock moves in steps this long: a session signed anew on every request would
# cost a cookie re-signed and re-sent each time, for precision nobody needs.
SEEN_STEP_SECONDS = 30

# The user with their roles, in one query.
_SIGNED_IN_USER = (
    select(User).where(User.id == bindparam("user_id")).options(joinedload(User.role_rows))
)


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session version, so bumping it ends sessions."""
    if request.blueprint == "api":
        return None  # the API takes bearer tokens only, so cookies cannot forge API calls
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.execute(_SIGNED_IN_USER, {"user_id": int(user_id)}).unique().scalar()
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def load_user_from_bearer_token(req) -> User | None:
    """Flask-Login's request loader, for the JSON API only."""
    if req.blueprint != "api":
        return None
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return api_tokens.user_for_token(token.strip())


def start_session(now: float | None = None) -> None:
    now = now or time.time()
    session.permanent = True
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[FRESH_AT] = now


def restart_idle_clock() -> None:
    """The person asked to stay signed in: the idle clock starts again now, not at its
    next 30-second step."""
    session[SEEN_AT] = time.time()


def mark_fresh() -> None:
    session[FRESH_AT] = time.time()


def is_fresh(max_age_seconds: int = 300) -> bool:
    return time.time() - session.get(FRESH_AT, 0) <= max_age_seconds


def enforce_session_limits():
    """before_request hook: end sessions idle past the limit or older than the absolute one."""
    if not current_user.is_authenticated or request.blueprint == "api":
        return None
    now = time.time()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    seen = session.get(SEEN_AT, 0)
    if now - seen > idle or now - session.get(LOGIN_AT, 0) > absolute:
        logout_user()
        session.clear()
        return None
    if now - seen >= SEEN_STEP_SECONDS:
        session[SEEN_AT] = now
    return None


def clear_device(response):
    """Signing out leaves nothing personal on the device: notes waiting to upload, drafts
    kept while typing and the pages kept for use offline (the page's script clears them
    too, for browsers that ignore this header). Not "cookies": the new session carries the
    flash message."""
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
