"""Your account: API tokens you make for yourself, see, and revoke, and signing out
everywhere."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import logout_user

from app.account.blueprint import bp
from app.account.forms import NewTokenForm, RevokeTokenForm, SignOutEverywhereForm
from app.auth.current import me
from app.auth.sessions import clear_device, is_fresh
from app.extensions import db
from app.permissions import signed_in
from app.services.accounts import api_tokens
from app.services.accounts import users as accounts
from app.services.errors import DomainError, NotFound


def _page(form: NewTokenForm, new_token: str | None = None, status: int = 200):
    default_days, most_days = api_tokens.lifetime_limits()
    if form.days.data is None and not form.is_submitted():
        form.days.data = default_days
    page = render_template(
        "account/tokens.jinja",
        form=form,
        revoke_form=RevokeTokenForm(),
        everywhere_form=SignOutEverywhereForm(),
        tokens=api_tokens.tokens_of(me()),
        new_token=new_token,
        most_days=most_days,
    )
    return page, status


@bp.route("/tokens", methods=["GET", "POST"])
@signed_in
def tokens():
    # A token works like the password, so the page that makes one asks for the password
    # again first, as signing off does: a cookie taken from an unlocked computer is not
    # enough to mint a credential that outlives the session.
    if not is_fresh():
        flash("An API token works like your password: confirm your password to continue.")
        return redirect(url_for("auth.confirm_password", next=request.path))
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            token = api_tokens.create_token(
                me(), form.label.data or "", days=form.days.data, actor=me()
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "label").errors.append(error.message)
        else:
            db.session.commit()
            # Shown once, in this response only: never stored, flashed or logged.
            return _page(NewTokenForm(formdata=None), new_token=token)
    return _page(form, status=400 if form.errors else 200)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id: int):
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        flash("The page had expired. Try revoking the token again.", "warning")
        return redirect(url_for("account.tokens"))
    try:
        api_tokens.revoke_token(token_id, actor=me(), owner_only=True)
    except NotFound:
        abort(404)  # another person's token answers like one that does not exist
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        db.session.commit()
        flash("Token revoked. Anything using it can no longer reach the API.", "success")
    return redirect(url_for("account.tokens"))


@bp.route("/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    if not SignOutEverywhereForm().validate_on_submit():
        flash("The page had expired. Try signing out everywhere again.", "warning")
        return redirect(url_for("account.tokens"))
    accounts.sign_out_everywhere(me())
    db.session.commit()
    logout_user()
    session.clear()
    flash(
        "You are signed out on every device, and every API token you had has stopped working.",
        "success",
    )
    return clear_device(redirect(url_for("auth.login")))
