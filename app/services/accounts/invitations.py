"""Invitations: how a new person gets into their account without anyone choosing a
password for them.

- Creating an account (admin page, a lead's page, `users create` without
  `--password-stdin`, a bulk import) invites the person: a single-use link, valid for
  INVITE_DAYS (14), by which they choose their own password.
- `invite` issues the link and audits it but sends nothing: the caller commits, then calls
  `deliver`, so no invitation goes out for an account that was rolled back.
- An administrator can resend (a new link; older ones stop working) or cancel an
  invitation from the person's page. An account that already has a password is not
  invited: it gets a password reset instead.
- Accepting checks the password like any other, uses the link up and sends the person
  to sign in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from app.extensions import db
from app.models.organisations import Organisation
from app.models.users import User
from app.services.accounts import account_mail, one_time_links, passwords
from app.services.accounts.organisations import organisation_scope
from app.services.accounts.password_resets import INVITATION, set_chosen_password
from app.services.accounts.users import create_user
from app.services.audit import chain as audit
from app.services.errors import DomainError


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation issued in the current transaction, to deliver after it commits."""

    user: User
    token: str
    expires_at: datetime
    inviter: str | None = None


@dataclass(frozen=True)
class InvitationStatus:
    """What the person's admin page says about their invitation."""

    has_password: bool
    open_until: datetime | None  # the open invitation's expiry, if one is open

    @property
    def may_resend(self) -> bool:
        return not self.has_password

    @property
    def may_cancel(self) -> bool:
        return self.open_until is not None


def lifetime() -> timedelta:
    return timedelta(days=int(current_app.config.get("INVITE_DAYS", 14)))


def invite(user: User, *, actor: User | None) -> PendingInvitation:
    """Issue an invitation link for `user` (earlier ones withdrawn) and audit it. Sends
    nothing: commit, then `deliver`."""
    if not user.active:
        raise DomainError(f"{user.name}'s account is deactivated: reactivate it first")
    if user.password_hash is not None:
        raise DomainError(
            f"{user.name} has already chosen a password. Send a password reset link instead"
        )
    issued = one_time_links.issue(INVITATION, lifetime=lifetime(), user=user, actor=actor)
    audit.record("user.invited", "user", user.id, actor=actor, data={"link_id": issued.link.id})
    return PendingInvitation(
        user, issued.token, issued.link.expires_at, actor.name if actor is not None else None
    )


# The roles an education lead may give the people they add; administrators give any.
LEAD_MAY_GIVE = frozenset({"trainee", "supervisor"})


def create_and_invite(
    *,
    email: str,
    name: str,
    roles: Sequence[str],
    organisation: Organisation | None,
    actor: User | None,
    gphc_number: str | None = None,
) -> PendingInvitation:
    """Create an account without a password and invite its owner. An administrator (or
    the command line, `actor` None) adds anyone anywhere; an education lead adds trainees
    and supervisors inside their own organisation's subtree."""
    if actor is not None and not actor.has_role("admin"):
        scope = organisation_scope(actor) or set()
        if organisation is None or organisation.id not in scope:
            raise DomainError("Choose one of the organisations you lead", "organisation")
        if not set(roles) <= LEAD_MAY_GIVE:
            raise DomainError(
                "Education leads can add trainees and supervisors. Ask an administrator "
                "to give other roles",
                "roles",
            )
    user = create_user(
        email=email,
        name=name,
        roles=roles,
        password=None,
        organisation=organisation,
        gphc_number=gphc_number,
        actor=actor,
    )
    return invite(user, actor=actor)


def deliver(pending: Iterable[PendingInvitation]) -> None:
    """Send the invitation e-mails. Call only after the commit that made the accounts."""
    account_mail.send(
        account_mail.invitation(p.user, p.token, p.expires_at, p.inviter) for p in pending
    )


def cancel(user: User, *, actor: User) -> None:
    """Withdraw the open invitation: its link stops working."""
    if not one_time_links.withdraw(INVITATION, user):
        raise DomainError(f"{user.name} has no invitation waiting to be used")
    audit.record("user.invitation_cancelled", "user", user.id, actor=actor)


def status(user: User) -> InvitationStatus:
    link = one_time_links.open_link(INVITATION, user)
    return InvitationStatus(
        has_password=user.password_hash is not None,
        open_until=link.expires_at if link is not None else None,
    )


def user_for_invitation(token: str) -> User:
    """The person an invitation is for, while it is open; LinkRefused otherwise."""
    link = one_time_links.check(INVITATION, token)
    user = db.session.get(User, link.user_id)
    if user is None:
        raise one_time_links.LinkRefused(one_time_links.LinkProblem.UNKNOWN)
    return user


def accept(token: str, password: str) -> User:
    """Choose a password through the invitation: checked first, then the link used up."""
    user = user_for_invitation(token)
    passwords.check_password_rules(password)
    one_time_links.consume(INVITATION, token)
    set_chosen_password(user, password, action="user.invitation_accepted")
    return user
