"""Finishing a sign-in once the password (or single sign-on) was right.

Every way of signing in ends in `finish_sign_in(user, next_url, method=...)`: it signs
the person in, or, when two-factor sign-in applies to them, keeps a *pending* sign-in in
the signed session cookie and sends them for their code (or, when their role requires two-factor
sign-in and they have none yet, to set it up). A pending sign-in is not a signed-in
state: Flask-Login knows nothing of it, so every page that needs a role still refuses.
It names the person and their session version (so a reset or a password change voids
it) and lasts a few minutes. The sign-in is recorded (last signed in, `auth.login`) only
when it is complete, every factor given.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth.sessions import start_session
from app.extensions import db
from app.models.users import User
from app.services.accounts import two_factor
from app.services.accounts.users import record_sign_in

PENDING = "two_factor_pending"
# Set in the session at sign-in: whether the person gave a second factor (a code, or set one
# up). A session without it whose person's role now requires two-factor sign-in ends.
SECOND_FACTOR = "second_factor"
CODE, SETUP = "code", "setup"
# Long enough to find the phone and type a code; setting up also means installing an app.
PENDING_SECONDS = {CODE: 5 * 60, SETUP: 15 * 60}


def safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the sign-in pages cannot be used to redirect elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def finish_sign_in(user: User, next_url: str | None = None, *, method: str) -> Response:
    """The first factor was right: sign `user` in, or ask for (or set up) their second.
    `method` says how the first was given ("password" or "sso") for the audit event."""
    next_url = safe_next(next_url)
    session.clear()  # a new session at every sign-in (no fixation)
    if two_factor.is_enabled(user):
        _hold(user, CODE, next_url, method)
        return redirect(url_for("auth.two_factor"))
    if two_factor.is_required(user):
        _hold(user, SETUP, next_url, method)
        return redirect(url_for("auth.two_factor_setup"))
    signed_in(user, second_factor=False, method=method)
    return redirect(next_url or url_for("main.home"))


def signed_in(user: User, *, second_factor: bool, method: str | None = None) -> None:
    """The sign-in is complete: record it (committed) and start the person's session.
    Without `method`, the one the pending sign-in was started with."""
    if method is None:
        held = session.get(PENDING)
        method = str(held.get("method", "password")) if isinstance(held, dict) else "password"
    record_sign_in(user, method=method, second_factor=second_factor)
    db.session.commit()
    sign_in_now(user, second_factor=second_factor)


def sign_in_now(user: User, *, second_factor: bool) -> None:
    """A new session for `user`, the pending state (if any) gone."""
    session.clear()
    login_user(user)
    start_session()
    session[SECOND_FACTOR] = second_factor


def complete_sign_in(user: User, next_url: str | None, *, second_factor: bool) -> Response:
    """The second factor was right: sign the pending person in."""
    signed_in(user, second_factor=second_factor)
    return redirect(safe_next(next_url) or url_for("main.home"))


def restart_session(user: User) -> None:
    """A new session for the person already signed in (after a password change)."""
    sign_in_now(user, second_factor=bool(session.get(SECOND_FACTOR)))


def enforce_second_factor():
    """before_request: a session begun without a second factor, of a person whose role now
    requires one (a role added since they signed in), ends; signing in again sets it up."""
    if request.blueprint == "api" or request.endpoint == "static":
        return None
    if not current_user.is_authenticated or session.get(SECOND_FACTOR):
        return None
    if not two_factor.is_required(current_user):
        return None
    logout_user()
    session.clear()
    flash("Your role now needs two-factor sign-in. Sign in again to set it up.")
    return redirect(url_for("auth.login"))


def _hold(user: User, stage: str, next_url: str | None, method: str) -> None:
    session[PENDING] = {
        "user": user.id,
        "version": user.session_version,
        "stage": stage,
        "at": time.time(),
        "next": next_url,
        "method": method,
    }


def pending_user(stage: str) -> User | None:
    """The person whose sign-in waits at `stage`, if it has not expired or been voided."""
    held = session.get(PENDING)
    if not isinstance(held, dict) or held.get("stage") != stage:
        return None
    if time.time() - float(held.get("at", 0)) > PENDING_SECONDS[stage]:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, held.get("user"))
    if user is None or not user.active or user.session_version != held.get("version"):
        session.pop(PENDING, None)
        return None
    return user


def pending_next() -> str | None:
    held = session.get(PENDING)
    return safe_next(held.get("next")) if isinstance(held, dict) else None


def pending_user_id() -> int | None:
    """For the rate limit's key: whose code is being tried (None when nobody's)."""
    held = session.get(PENDING)
    return held.get("user") if isinstance(held, dict) else None


def abandon() -> None:
    session.pop(PENDING, None)
