"""How a person gets into their account, from their admin page: the invitation (resend,
cancel), a password reset link, and a change of e-mail address.

An administrator never sees or sets a password: each of these sends the person a link.
Each view calls one service, commits, then sends the e-mail, so nothing is announced
that was rolled back. The page's part is `account_access_section`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.admin.blueprint import bp
from app.admin.forms import ConfirmForm, EmailChangeForm
from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.users import User
from app.permissions import roles
from app.services.accounts import account_mail, email_changes, invitations, password_resets
from app.services.errors import DomainError


def _person_for_post(user_id: int) -> User:
    person = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return person


def _back_to(person: User):
    return redirect(url_for(".user_detail", user_id=person.id))


@bp.route("/users/<int:user_id>/invitation/resend", methods=["POST"])
@roles("admin")
def user_invitation_resend(user_id: int):
    person = _person_for_post(user_id)
    try:
        pending = invitations.invite(person, actor=me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back_to(person)
    db.session.commit()
    invitations.deliver([pending])
    flash(
        f"A new invitation has been sent to {person.email}. Links in earlier invitations "
        "no longer work.",
        "success",
    )
    return _back_to(person)


@bp.route("/users/<int:user_id>/invitation/cancel", methods=["POST"])
@roles("admin")
def user_invitation_cancel(user_id: int):
    person = _person_for_post(user_id)
    try:
        invitations.cancel(person, actor=me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{person.name}'s invitation is cancelled. Its link no longer works.", "success")
    return _back_to(person)


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@roles("admin")
def user_password_reset(user_id: int):
    person = _person_for_post(user_id)
    try:
        message = password_resets.issue_reset(person, actor=me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back_to(person)
    db.session.commit()
    account_mail.send([message])
    flash(
        f"A link to choose a new password has been sent to {person.email}. Their current "
        "password keeps working until they use it.",
        "success",
    )
    return _back_to(person)


@bp.route("/users/<int:user_id>/email", methods=["GET", "POST"])
@roles("admin")
def user_email(user_id: int):
    person = db.get_or_404(User, user_id)
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            messages = email_changes.request_change(person, form.email.data or "", actor=me())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            account_mail.send(messages)
            flash(
                f"We have sent a confirmation link to {messages[0].to}, and told "
                f"{person.email} about the change. The address changes when "
                f"{person.name} follows the link.",
                "success",
            )
            return _back_to(person)
    return render_template(
        "admin/user_email.jinja",
        title=f"Change {person.name}'s email address",
        form=form,
        person=person,
    )
