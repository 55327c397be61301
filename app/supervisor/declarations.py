"""The steps every professional declaration's page takes, written once.

Signing off a competency, revoking a sign-off, signing a gap analysis, revoking a
credential: each is a declaration, so each page
1. shows why the signer may not sign today, instead of a form, when their own registration
   does not stand (`refusal()`; nothing is tried, and the password is not asked for);
2. sends the signer to re-enter their password (and code) first, unless they did in the
   last few minutes (`confirm_first()`), and straight back to the page;
3. on a valid form, calls the service with the time of that re-entry, and answers the
   service's refusals: a re-entry gone stale sends them to confirm again; any other
   refusal is shown on the form, with nothing written.

`gate()` is steps 1 and 2, `declare()` step 3. Whether a declaration is allowed stays the
services' decision; these only carry the person's answer to them and back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from flask import flash, redirect, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.auth.current import me
from app.auth.sessions import FRESH_AT, is_fresh
from app.extensions import db
from app.form_base import show_error
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration import signers
from app.services.supervision import signing

Made = TypeVar("Made")


def authenticated_at() -> datetime | None:
    """When the person last re-entered their password in this session (None: never)."""
    fresh_at = session.get(FRESH_AT)
    return datetime.fromtimestamp(fresh_at, UTC) if fresh_at else None


def confirm_first() -> Response:
    """Send the person to re-enter their password, then back to this page."""
    flash("Signing is a professional declaration: confirm your password to continue.")
    return redirect(url_for("auth.confirm_password", next=request.path))


def is_fresh_enough() -> bool:
    return is_fresh(int(signing.FRESH_AUTHENTICATION.total_seconds()))


def refusal() -> signers.SignerRefusal | None:
    """Why the signed-in person's own registration stops them signing today: shown
    before any form (and before asking for the password), so nothing is tried."""
    return signers.signer_refusal(me().id, uk_today(), signers.SIGN_OFF_REGISTERS)


def gate() -> tuple[signers.SignerRefusal | None, Response | None]:
    """Steps 1 and 2: (why they may not sign, or None; a redirect to confirm, or None)."""
    refused = refusal()
    if refused is None and not is_fresh_enough():
        return refused, confirm_first()
    return refused, None


def declare(
    form: FlaskForm,
    act: Callable[[datetime | None], Made],
    *,
    refused: signers.SignerRefusal | None,
    done: Callable[[Made], tuple[str, str]],
) -> Response | None:
    """Step 3. On a valid form (and no refusal) run `act(authenticated_at)`; when it
    succeeds, commit, flash and redirect as `done(result)` says (message, URL). None means
    show the page again: the form was not sent, not valid, or the service refused (its
    message is on the form and the transaction rolled back)."""
    if refused is not None or not form.validate_on_submit():
        return None
    try:
        made = act(authenticated_at())
    except signing.ReauthenticationRequired:
        db.session.rollback()
        return confirm_first()
    except DomainError as error:
        show_error(form, error)
        return None
    db.session.commit()
    message, then = done(made)
    flash(message, "success")
    return redirect(then)
