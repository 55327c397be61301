"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.auth.forms import ChangePasswordForm, ConfirmPasswordForm, LoginForm
from app.auth.sessions import mark_fresh, start_session
from app.extensions import db, limiter
from app.permissions import public, signed_in
from app.services import accounts
from app.services.errors import DomainError

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the login page cannot be used to redirect elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _submitted_email() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    """Only failed sign-ins count towards the limits (success redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_submitted_email,
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        db.session.commit()  # the audit event of a failure is kept too
        if user is not None:
            session.clear()  # a new session at every sign-in (no fixation)
            login_user(user)
            start_session()
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        form.email.errors.append("Email address or password is not correct")
    return render_template("auth/login.jinja", form=form)


@bp.route("/confirm", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=lambda: f"confirm:{current_user.id}",
    deduct_when=_failed,
)
def confirm_password():
    """Re-enter the password before a professional declaration such as a sign-off."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if accounts.confirm_password(current_user, form.password.data or ""):
            db.session.commit()
            mark_fresh()
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        db.session.commit()  # keep the audit event of the failure
        form.password.errors.append("The password is not correct")
    return render_template("auth/confirm.jinja", form=form)


@bp.route("/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=lambda: f"password:{current_user.id}",
    deduct_when=_failed,
)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                user, form.current_password.data or "", form.new_password.data or ""
            )
        except DomainError as error:
            db.session.commit()  # keep the audit event of a wrong current password
            getattr(form, error.field or "new_password").errors.append(error.message)
        else:
            db.session.commit()
            # Every session ended with the old password; this one starts again.
            session.clear()
            login_user(user)
            start_session()
            flash("Your password is changed. Any other device you used is signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.jinja", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    accounts.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
