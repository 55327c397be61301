"""Forgotten passwords: a reset link by e-mail, and the new password chosen through it.

- Anyone may ask for a link for any address; the answer is the same whether an account
  exists or not, so the page cannot be used to find out who has one. Only an active
  account with that address gets an e-mail.
- An administrator (page) or an operator (`users reset-password`) can send the same link;
  neither ever sees or sets the password.
- A link works once, for PASSWORD_RESET_MINUTES (60); a newer one withdraws the older.
- Nobody whose organisation signs in only through single sign-on is sent a link: it
  would hand them a password they cannot use. Asked from the sign-in pages, the answer
  stays the same as for an unknown address, and the person is e-mailed how they sign in.
- The new password passes the same rules as any other. Setting it ends every session and
  every API token of the account, withdraws any other open reset or invitation link, and
  an e-mail tells the person it happened.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.extensions import db
from app.models.users import User
from app.services.accounts import (
    account_mail,
    api_tokens,
    one_time_links,
    passwords,
    sign_in_policy,
)
from app.services.accounts.users import find_user_by_email
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.notifications.messages import OutgoingMail

PASSWORD_RESET = "password-reset"  # noqa: S105 - a link purpose, not a secret
INVITATION = "invitation"  # the invitation's purpose too: both links choose a password


def lifetime() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("PASSWORD_RESET_MINUTES", 60)))


def issue_reset(user: User, *, actor: User | None) -> OutgoingMail:
    """A new reset link for `user` (older ones withdrawn), audited; returns the e-mail to
    send once the transaction commits."""
    if not user.active:
        raise DomainError(f"{user.name}'s account is deactivated: reactivate it first")
    if (organisation := sign_in_policy.switched_off_by_for(user)) is not None:
        raise DomainError(
            f"{organisation.name} signs in only with {sign_in_policy.provider_label()}: "
            f"{user.name} needs no password, so no reset link was sent"
        )
    issued = one_time_links.issue(PASSWORD_RESET, lifetime=lifetime(), user=user, actor=actor)
    audit.record(
        "auth.password_reset_sent",
        "user",
        user.id,
        actor=actor,
        data={"link_id": issued.link.id},
    )
    return account_mail.password_reset(user, issued.token, issued.link.expires_at)


def request_reset(email: str) -> list[OutgoingMail]:
    """Someone on the sign-in pages asks for a link for `email`: the e-mail to send when
    an active account has that address, else nothing. Either way one audit event is
    written, so both answers cost about the same."""
    user = find_user_by_email(email[:254])
    if user is None or not user.active:
        audit.record("auth.password_reset_requested", "user", None, actor=None)
        return []
    audit.record("auth.password_reset_requested", "user", user.id, actor=None)
    if not sign_in_policy.password_sign_in_allowed(user):
        return [account_mail.sign_in_with_provider(user, sign_in_policy.provider_label())]
    return [issue_reset(user, actor=None)]


def set_chosen_password(user: User, password: str, *, action: str) -> None:
    """The person chose `password` through a link: check it, store it, end every session
    and token, and withdraw every other open link that could set one."""
    if not user.active:
        raise DomainError("This account is deactivated. Contact your administrator.")
    passwords.check_password_rules(password)
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1
    db.session.flush()
    for purpose in (PASSWORD_RESET, INVITATION):
        one_time_links.withdraw(purpose, user)
    audit.record(action, "user", user.id, actor=user)
    api_tokens.revoke_all(user, actor=user, reason="password_reset")


def user_for_reset(token: str) -> User:
    """The person a reset link is for, while it is open; LinkRefused otherwise."""
    link = one_time_links.check(PASSWORD_RESET, token)
    user = db.session.get(User, link.user_id)
    if user is None:
        raise one_time_links.LinkRefused(one_time_links.LinkProblem.UNKNOWN)
    return user


def complete_reset(token: str, password: str) -> tuple[User, OutgoingMail]:
    """Use the link and set the new password; returns the person and the e-mail saying
    it changed. The password is checked before the link is used up."""
    user = user_for_reset(token)
    passwords.check_password_rules(password)
    one_time_links.consume(PASSWORD_RESET, token)
    set_chosen_password(user, password, action="auth.password_reset")
    return user, account_mail.password_changed(user)
