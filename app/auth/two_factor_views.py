"""The second step of signing in: the code from the authenticator app (or a recovery code),
or setting two-factor sign-in up when the person's role requires it and they have none.

These pages are open to everyone, because the person is not signed in yet: each acts only
on the pending sign-in in the session (`sign_in`), and without one (none, expired, or
voided by a reset) says so and offers the sign-in page. Codes are rate-limited per account
and per address, like passwords, and every wrong one is audited.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth import sign_in
from app.auth.blueprint import bp
from app.auth.two_factor_forms import ActionForm, SignInCodeForm
from app.auth.two_factor_setup import recovery_codes_page, setup_step
from app.extensions import db, limiter
from app.permissions import public
from app.services.accounts import two_factor


def _pending_account() -> str:
    return f"mfa:{sign_in.pending_user_id()}"


def _limits(view):
    view = limiter.limit(
        lambda: current_app.config["MFA_LIMIT_PER_ACCOUNT"],
        methods=["POST"],
        key_func=_pending_account,
    )(view)
    return limiter.limit(lambda: current_app.config["MFA_LIMIT_PER_ADDRESS"], methods=["POST"])(
        view
    )


def _expired():
    """No sign-in waits here: never signed in, timed out, or ended."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("auth/two_factor_expired.jinja", title="Your sign-in was not finished")


@bp.route("/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@public
@_limits
def two_factor_code():
    user = sign_in.pending_user(sign_in.CODE)
    if user is None:
        return _expired()
    form = SignInCodeForm()
    if form.validate_on_submit():
        ok = two_factor.check_second_factor(user, form.code.data or "")
        db.session.commit()  # the code used up, or the failure's audit event
        if ok:
            return sign_in.complete_sign_in(user, sign_in.pending_next(), second_factor=True)
        form.code.errors.append(
            "The code is not correct. Enter the code your authenticator app shows now, "
            "or a recovery code you have not used before"
        )
    return render_template(
        "auth/two_factor.jinja",
        title="Enter your security code",
        form=form,
        cancel_form=ActionForm(),
    )


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@public
@_limits
def two_factor_setup():
    user = sign_in.pending_user(sign_in.SETUP)
    if user is None:
        return _expired()
    next_url = sign_in.pending_next()

    def confirmed(codes: list[str]):
        # The code just proved the app: no second question.
        sign_in.signed_in(user, second_factor=True)
        return recovery_codes_page(
            codes,
            next_url or url_for("main.home"),
            title="Two-factor sign-in is set up: save your recovery codes",
        )

    return setup_step(
        user, signing_in=True, confirmed=confirmed, extra={"cancel_form": ActionForm()}
    )


@bp.route("/two-factor/cancel", methods=["POST"])
@public
def two_factor_cancel():
    """Sign out of a sign-in that waits for its second step."""
    sign_in.abandon()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
