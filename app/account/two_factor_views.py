"""Your two-factor sign-in: whether it is on, setting it up (or again, on a new phone),
new recovery codes, and switching it off where your role allows.

Each change asks for the password (and current code) again first, as making an API token
does: a cookie taken from an unlocked computer must not be enough to move someone's
second factor to another phone, or to switch it off.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.account.blueprint import bp
from app.auth.current import me
from app.auth.sessions import is_fresh
from app.auth.two_factor_forms import ActionForm
from app.auth.two_factor_setup import recovery_codes_page, setup_step
from app.extensions import db, limiter
from app.permissions import signed_in
from app.services.accounts import two_factor
from app.services.errors import DomainError


def _confirm_first():
    flash("Two-factor sign-in protects your account: confirm it is you to continue.")
    return redirect(url_for("auth.confirm_password", next=url_for("account.two_factor")))


@bp.route("/two-factor", endpoint="two_factor")
@signed_in
def two_factor_settings():
    person = me()
    enabled = two_factor.is_enabled(person)
    return render_template(
        "account/two_factor.jinja",
        title="Two-factor sign-in",
        enabled=enabled,
        required=two_factor.is_required(person),
        remaining=two_factor.remaining_recovery_codes(person) if enabled else 0,
        action_form=ActionForm(),
    )


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    lambda: current_app.config["MFA_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=lambda: f"mfa:{current_user.id}",
)
@limiter.limit(lambda: current_app.config["MFA_LIMIT_PER_ADDRESS"], methods=["POST"])
def two_factor_setup():
    if not is_fresh():
        flash("Two-factor sign-in protects your account: confirm it is you to continue.")
        return redirect(url_for("auth.confirm_password", next=request.path))

    def confirmed(codes: list[str]):
        return recovery_codes_page(
            codes,
            url_for("account.two_factor"),
            title="Two-factor sign-in is on: save your recovery codes",
        )

    return setup_step(me(), signing_in=False, confirmed=confirmed)


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@signed_in
def recovery_codes():
    if not ActionForm().validate_on_submit():
        flash("The page had expired. Try again.", "warning")
        return redirect(url_for("account.two_factor"))
    if not is_fresh():
        return _confirm_first()
    try:
        codes = two_factor.new_recovery_codes(me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for("account.two_factor"))
    db.session.commit()
    return recovery_codes_page(
        codes, url_for("account.two_factor"), title="Your new recovery codes"
    )


@bp.route("/two-factor/turn-off", methods=["POST"])
@signed_in
def two_factor_off():
    if not ActionForm().validate_on_submit():
        flash("The page had expired. Try again.", "warning")
        return redirect(url_for("account.two_factor"))
    if not is_fresh():
        return _confirm_first()
    try:
        two_factor.switch_off(me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        db.session.commit()
        flash("Two-factor sign-in is off. You sign in with your password only.", "success")
    return redirect(url_for("account.two_factor"))
