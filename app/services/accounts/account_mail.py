"""The e-mails about a person's account: invitations, password resets, e-mail changes.

Plain text written to make sense read aloud by a screen reader: whole sentences, the
link on a line of its own, and the time it stops working in UK time. Every link is a
full address under BASE_URL, never taken from the request's Host header.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.base_url import absolute_url
from app.models.users import User
from app.services.clock import UK_TIME
from app.services.notifications.messages import OutgoingMail, path_for

SERVICE = "PCPT Portfolio"
IGNORE = "If you were not expecting this email, you can ignore it."


def link_to(endpoint: str, token: str) -> str:
    """The full address of a page that takes a one-time token."""
    return absolute_url(path_for(endpoint, token=token))


def spoken_time(moment: datetime) -> str:
    """'20 December 2026 at 6:20pm (UK time)': how a person would say it."""
    local = moment.astimezone(UK_TIME) if UK_TIME else moment
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{suffix} (UK time)"


def invitation(user: User, token: str, expires_at: datetime, inviter: str | None) -> OutgoingMail:
    who = inviter or "An administrator"
    body = (
        f"Hello {user.name},\n\n"
        f"{who} has set up an account for you on {SERVICE}, the training portfolio for "
        "pharmacy technicians in primary care.\n\n"
        "To start, choose your password by opening this link:\n\n"
        f"{link_to('auth.invitation', token)}\n\n"
        f"The link works once, until {spoken_time(expires_at)}. If it has stopped working, "
        "ask your administrator or education lead to send a new invitation.\n\n"
        f"{IGNORE} Nobody can use the account until a password is chosen.\n"
    )
    return OutgoingMail(user.email, f"You have been invited to {SERVICE}", body)


def password_reset(user: User, token: str, expires_at: datetime) -> OutgoingMail:
    body = (
        f"Hello {user.name},\n\n"
        f"Someone asked to reset the password for your {SERVICE} account. "
        "To choose a new password, open this link:\n\n"
        f"{link_to('auth.reset_password', token)}\n\n"
        f"The link works once, until {spoken_time(expires_at)}. After that, ask for "
        "another one from the sign-in page.\n\n"
        f"{IGNORE} Your password stays as it is unless you open the link and choose a new "
        "one.\n"
    )
    return OutgoingMail(user.email, f"Reset your {SERVICE} password", body)


def sign_in_with_provider(user: User, provider: str) -> OutgoingMail:
    body = (
        f"Hello {user.name},\n\n"
        f"Someone asked to reset the password for your {SERVICE} account. Your organisation "
        f"signs in to {SERVICE} with {provider}, so you have no password to reset: on the "
        f"sign-in page, choose Sign in with {provider} and use your {provider} account.\n\n"
        f"{IGNORE}\n"
    )
    return OutgoingMail(user.email, f"How you sign in to {SERVICE}", body)


def password_changed(user: User) -> OutgoingMail:
    body = (
        f"Hello {user.name},\n\n"
        f"The password for your {SERVICE} account has just been changed using a link sent "
        "by email. Every device that was signed in to your account has been signed out, "
        "and every API token you had has stopped working.\n\n"
        "If you did not do this, tell your administrator or education lead straight away.\n"
    )
    return OutgoingMail(user.email, f"Your {SERVICE} password has been changed", body)


def email_change_confirmation(
    user: User, new_email: str, token: str, expires_at: datetime
) -> OutgoingMail:
    body = (
        f"Hello {user.name},\n\n"
        f"An administrator has asked to change the email address of your {SERVICE} "
        "account to this one. To confirm it, open this link and select the confirm "
        "button:\n\n"
        f"{link_to('auth.confirm_email', token)}\n\n"
        f"The link works once, until {spoken_time(expires_at)}. Until you confirm, you "
        "keep signing in with your old email address.\n\n"
        f"{IGNORE}\n"
    )
    return OutgoingMail(new_email, f"Confirm your new {SERVICE} email address", body)


def email_change_notice(user: User, old_email: str) -> OutgoingMail:
    body = (
        f"Hello {user.name},\n\n"
        f"An administrator has asked to change the email address of your {SERVICE} "
        "account. We have sent a confirmation link to the new address. Nothing changes "
        "until that link is used.\n\n"
        "If you did not expect this, tell your administrator or education lead straight "
        "away.\n"
    )
    return OutgoingMail(old_email, f"Your {SERVICE} email address is being changed", body)


def send(messages: Iterable[OutgoingMail]) -> None:
    """Send now: only after the commit that made what the messages announce."""
    # The one sender of queued notifications, so a failure is handled (logged, the rest
    # still sent) the same way; imported here because it lives with the web layer.
    from app.notifications.delivery import deliver

    deliver(list(messages))
