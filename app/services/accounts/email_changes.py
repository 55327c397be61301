"""Changing a person's e-mail address, which is also how they sign in.

- An administrator asks for the change; nothing changes yet. A confirmation link goes to
  the new address (so a typing mistake cannot lock the person out) and a notice to the
  old one (so a change nobody asked for is noticed).
- The change applies when the link is followed, once, within EMAIL_CHANGE_HOURS (24).
  Asking again withdraws the earlier link.
- An address another account already uses is refused, when asked and again when
  confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from app.extensions import db
from app.models.users import User
from app.services.accounts import account_mail, one_time_links
from app.services.accounts.users import find_user_by_email, normalise_email
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.notifications.messages import OutgoingMail

EMAIL_CHANGE = "email-change"


@dataclass(frozen=True)
class PendingChange:
    person: User
    new_email: str
    expires_at: datetime


def lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config.get("EMAIL_CHANGE_HOURS", 24)))


def _refuse_taken(email: str) -> None:
    if find_user_by_email(email) is not None:
        raise DomainError(f"Another account already uses {email}", "email")


def request_change(person: User, new_email: str, *, actor: User) -> list[OutgoingMail]:
    """Ask to change `person`'s address; returns the two e-mails to send after the commit."""
    new_email = normalise_email(new_email)
    if new_email == person.email:
        raise DomainError(f"{new_email} is already {person.name}'s email address", "email")
    _refuse_taken(new_email)
    issued = one_time_links.issue(
        EMAIL_CHANGE, lifetime=lifetime(), user=person, email=new_email, actor=actor
    )
    audit.record(
        "user.email_change_requested",
        "user",
        person.id,
        actor=actor,
        data={"link_id": issued.link.id},
    )
    return [
        account_mail.email_change_confirmation(
            person, new_email, issued.token, issued.link.expires_at
        ),
        account_mail.email_change_notice(person, person.email),
    ]


def pending_change(person: User) -> PendingChange | None:
    """The change waiting for confirmation, if any."""
    link = one_time_links.open_link(EMAIL_CHANGE, person)
    if link is None or link.email is None:
        return None
    return PendingChange(person, link.email, link.expires_at)


def pending_for_token(token: str) -> PendingChange:
    """The change a link confirms, while it is open; LinkRefused otherwise."""
    link = one_time_links.check(EMAIL_CHANGE, token)
    person = db.session.get(User, link.user_id)
    if person is None or link.email is None:
        raise one_time_links.LinkRefused(one_time_links.LinkProblem.UNKNOWN)
    return PendingChange(person, link.email, link.expires_at)


def confirm(token: str) -> User:
    """Follow the link: the address changes now, unless another account took it since."""
    change = pending_for_token(token)
    _refuse_taken(change.new_email)
    one_time_links.consume(EMAIL_CHANGE, token)
    change.person.email = change.new_email
    db.session.flush()
    audit.record("user.email_changed", "user", change.person.id, actor=change.person)
    return change.person
