"""Pages reached from an e-mailed one-time link (an invitation, a password reset, a new
e-mail address to confirm), and the page that asks for a reset link.

The token is in the address, so these pages tell the browser to send only the origin as
Referer, never the path (`Referrer-Policy: strict-origin`), and error logs name the route
with the token blanked (`app.logs.loggable_path`). A link that cannot be used shows a
page that says why and what to do next, never an error.
"""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import logout_user

from app.auth.blueprint import bp
from app.auth.link_forms import ChoosePasswordForm, ConfirmEmailForm, ForgottenPasswordForm
from app.extensions import db, limiter
from app.permissions import public
from app.services.accounts import account_mail, email_changes, invitations, password_resets
from app.services.accounts.one_time_links import LinkRefused
from app.services.errors import DomainError
from app.services.notifications.messages import OutgoingMail

# Each kind of link has a page title of its own (a title names one page).
REFUSED_TITLES = {
    "invitation": "Your invitation link cannot be used",
    "reset": "Your password reset link cannot be used",
    "email": "Your email confirmation link cannot be used",
}


# The token is in these pages' address: the browser sends only the origin as Referer
# (never the path), to other sites and to us. Not `no-referrer`: on HTTPS, Flask-WTF
# refuses a form posted without a Referer naming this origin, so the page's own form
# would fail in production.
TOKEN_PAGE_REFERRER_POLICY = "strict-origin"  # noqa: S105 - a header value, not a secret


def _token_page(body: str, status: int = 200):
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


def _refused(kind: str, refusal: LinkRefused):
    """The page for a link that cannot be used: 404 for one never issued, 410 for one
    used, expired or withdrawn."""
    db.session.rollback()
    status = 404 if refusal.problem.value == "unknown" else 410
    page = render_template(
        "auth/link_refused.jinja",
        title=REFUSED_TITLES[kind],
        kind=kind,
        problem=refusal.problem.value,
        reset_minutes=current_app.config["PASSWORD_RESET_MINUTES"],
    )
    return _token_page(page, status)


def _signed_out_to_sign_in(message: str):
    """Whoever was signed in on this browser is signed out; the person signs in anew."""
    logout_user()
    session.clear()
    flash(message, "success")
    return redirect(url_for("auth.login"))


def _choose_password(form: ChoosePasswordForm, kind: str, person, heading: str):
    page = render_template(
        "auth/choose_password.jinja", title=heading, form=form, kind=kind, person=person
    )
    return _token_page(page)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def invitation(token: str):
    try:
        person = invitations.user_for_invitation(token)
    except LinkRefused as refusal:
        return _refused("invitation", refusal)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            invitations.accept(token, form.new_password.data or "")
        except LinkRefused as refusal:  # used in another tab a moment ago
            return _refused("invitation", refusal)
        except DomainError as error:
            db.session.rollback()
            form.new_password.errors.append(error.message)
        else:
            db.session.commit()
            return _signed_out_to_sign_in(
                "Your password is set. Sign in with your email address and your new password."
            )
    return _choose_password(form, "invitation", person, "Choose your password")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        person = password_resets.user_for_reset(token)
    except LinkRefused as refusal:
        return _refused("reset", refusal)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            _, changed = password_resets.complete_reset(token, form.new_password.data or "")
        except LinkRefused as refusal:
            return _refused("reset", refusal)
        except DomainError as error:
            db.session.rollback()
            form.new_password.errors.append(error.message)
        else:
            db.session.commit()
            account_mail.send([changed])
            return _signed_out_to_sign_in(
                "Your password has been changed. Every device that was signed in to your "
                "account is signed out. Sign in with your new password."
            )
    return _choose_password(form, "reset", person, "Choose a new password")


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    try:
        change = email_changes.pending_for_token(token)
    except LinkRefused as refusal:
        return _refused("email", refusal)
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            person = email_changes.confirm(token)
        except LinkRefused as refusal:
            return _refused("email", refusal)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            return _signed_out_to_sign_in(
                f"Your email address is now {person.email}. Use it to sign in."
            )
    page = render_template(
        "auth/confirm_email.jinja", title="Confirm your new email address", form=form, change=change
    )
    return _token_page(page)


def _asked_email() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


def _send_after_reply(response, messages: list[OutgoingMail]):
    """Send once the reply has gone: a known address then answers as fast as an unknown
    one, so the timing does not tell them apart."""
    if messages:
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def send() -> None:
            with app.app_context():
                account_mail.send(messages)

        response.call_on_close(send)
    return response


@bp.route("/forgotten-password", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_asked_email,
)
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip()
        messages = password_resets.request_reset(email)
        db.session.commit()
        page = render_template(
            "auth/forgotten_password_sent.jinja", title="Check your email", email=email
        )
        return _send_after_reply(make_response(page), messages)
    return render_template("auth/forgotten_password.jinja", title="Reset your password", form=form)
