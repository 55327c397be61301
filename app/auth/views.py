"""Signing in and out."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.exceptions import UnsupportedMediaType

from app.auth.blueprint import bp
from app.auth.current import me
from app.auth.forms import ChangePasswordForm, ConfirmPasswordForm, LoginForm
from app.auth.sessions import clear_device, mark_fresh
from app.auth.sign_in import finish_sign_in, restart_session, safe_next
from app.auth.two_factor_forms import ConfirmWithCodeForm
from app.extensions import db, limiter
from app.permissions import public, signed_in
from app.services.accounts import single_sign_on, two_factor
from app.services.accounts import users as accounts
from app.services.accounts.sign_in_policy import PasswordSignInOff, sso_button_label
from app.services.errors import DomainError

# What a browser's form sends. Flask-WTF would also read a JSON body, but the sign-in
# limit is keyed from `request.form`: with form bodies only, the key and the form read
# the same e-mail address, so no body reaches the password check under another key.
FORM_BODIES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


@bp.before_request
def _form_bodies_only():
    """A POST whose body is of another type (JSON, text) is refused unread."""
    if request.method == "POST" and request.mimetype and request.mimetype not in FORM_BODIES:
        raise UnsupportedMediaType(
            "These pages accept only what their web form sends "
            "(application/x-www-form-urlencoded). Nothing was checked or changed."
        )


def _submitted_email() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


# Each limit below counts an attempt as it arrives, in one atomic step (an increment of
# the counter in RATELIMIT_STORAGE_URI, shared by every worker, then a comparison), before
# the password is checked: parallel guesses cannot all pass a check made before any of
# them was counted. A successful attempt counts too and gives nothing back, so the count
# stays that one write (no refund to race or to run below zero); a person needs far
# fewer sign-ins than a window allows.


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_submitted_email,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data or "", form.password.data or "")
        except PasswordSignInOff as refusal:
            db.session.commit()  # the audit event of the refusal
            form.email.errors.append(refusal.message)
            return render_template("auth/login.jinja", form=form, sso_label=sso_button_label())
        db.session.commit()  # the audit event of a failure is kept too
        if user is not None:
            # Signed in now, or first asked for a two-factor code (or to set it up).
            return finish_sign_in(user, request.args.get("next"), method="password")
        form.email.errors.append("Email address or password is not correct")
    return render_template("auth/login.jinja", form=form, sso_label=sso_button_label())


@bp.route("/confirm", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=lambda: f"confirm:{current_user.id}",
)
def confirm_password():
    """Re-enter the password (and a current code, with two-factor sign-in on) before a
    professional declaration such as a sign-off."""
    person = me()
    needs_code = two_factor.is_enabled(person)
    form = ConfirmWithCodeForm() if needs_code else ConfirmPasswordForm()
    if form.validate_on_submit():
        if not accounts.confirm_password(person, form.password.data or ""):
            form.password.errors.append("The password is not correct")
        elif needs_code and not two_factor.check_second_factor(person, form.code.data or ""):
            form.code.errors.append(
                "The security code is not correct, so nothing was signed. Enter the code your "
                "authenticator app shows now, or a recovery code you have not used before"
            )
        else:
            db.session.commit()
            mark_fresh()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        db.session.commit()  # keep the audit event of the failure
    return render_template(
        "auth/confirm.jinja", form=form, sso_confirm_label=single_sign_on.confirm_label(person)
    )


@bp.route("/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=lambda: f"password:{current_user.id}",
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
            restart_session(user)
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
    return clear_device(redirect(url_for("auth.login")))
