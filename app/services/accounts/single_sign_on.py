"""Single sign-on: who a person signed in at the OpenID Connect provider is here.

The rules, in order:
- A provider account already linked to one of our people (the provider's issuer and
  subject) is that person, whatever e-mail address the provider now gives.
- Otherwise the provider must say the e-mail address is verified (`email_verified`
  true), and it must be the address of an existing account: signing on never creates
  an account. That first sign-on links the account to the provider's subject.
- An account already linked to another subject of the same provider is not taken over
  by a second provider account that claims its address.
- A deactivated account is refused, linked or not.
Each refusal is audited as a failed sign-in with its reason and creates nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.identities import UserIdentity
from app.models.users import User
from app.services.accounts.sign_in_policy import provider_label, sso_configured
from app.services.accounts.users import find_user_by_email
from app.services.audit import chain as audit
from app.services.errors import DomainError

# Why a sign-on was refused: the reason code (audited) and what the person is told.
REFUSALS = {
    "state": "The sign-in did not match one started from this browser, or it had expired. "
    "Start again from the sign-in page.",
    "id_token": "The answer from {provider} could not be verified, so it was not trusted. "
    "Start again from the sign-in page.",
    "provider": "{provider} did not complete the sign-in. Start again from the sign-in page.",
    "no_email": "{provider} did not tell us your email address, so we cannot tell who you "
    "are here. Ask your administrator.",
    "unverified_email": "{provider} has not verified your email address, so it cannot be used "
    "to sign you in here. Ask your administrator.",
    "unknown_email": "There is no PCPT Portfolio account for the email address {provider} "
    "gave us. Signing in does not create an account: ask your education lead or "
    "administrator to add you.",
    "linked_elsewhere": "The PCPT Portfolio account with this email address is already "
    "linked to a different {provider} account. Ask your administrator.",
    "deactivated": "This PCPT Portfolio account is not active. Ask your administrator.",
}


class SignOnRefused(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason

    def message_for(self, provider: str) -> str:
        return self.message.format(provider=provider)


def record_refusal(reason: str, user: User | None = None) -> SignOnRefused:
    """Audit a failed single sign-on; the caller raises what this returns."""
    audit.record(
        "auth.login_failed",
        "user",
        user.id if user else None,
        actor=None,
        data={"method": "sso", "reason": reason},
    )
    return SignOnRefused(reason)


def _linked(issuer: str, subject: str) -> UserIdentity | None:
    return db.session.scalar(
        select(UserIdentity).where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    )


def _first_link(issuer: str, subject: str, claims: Mapping) -> UserIdentity:
    """A new (unsaved) link for the account the verified e-mail names, or a refusal."""
    email = str(claims.get("email") or "").strip()
    if not email:
        raise record_refusal("no_email")
    user = find_user_by_email(email)
    # Only a JSON true counts: a string "true" or a missing claim is not a verification.
    if claims.get("email_verified") is not True:
        raise record_refusal("unverified_email", user)
    if user is None:
        raise record_refusal("unknown_email")
    other = db.session.scalar(
        select(UserIdentity.id).where(
            UserIdentity.user_id == user.id, UserIdentity.issuer == issuer
        )
    )
    if other is not None:
        raise record_refusal("linked_elsewhere", user)
    return UserIdentity(user=user, issuer=issuer, subject=subject)


def sign_on(issuer: str, claims: Mapping) -> User:
    """The person the verified ID token's claims name (their link used now); or
    `SignOnRefused`. The caller has already checked the token (signature, issuer,
    audience, expiry, nonce)."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise record_refusal("id_token")
    link = _linked(issuer, subject) or _first_link(issuer, subject, claims)
    user = link.user
    if not user.active:
        raise record_refusal("deactivated", user)
    now = utcnow()
    if link.id is None:
        db.session.add(link)
        db.session.flush()
        audit.record("user.identity_linked", "user", user.id, actor=user, data={"link": link.id})
    link.last_used_at = now
    return user


# How recent the provider's sign-in must be to confirm a declaration (it is asked to
# sign the person in afresh, so a few seconds is usual).
CONFIRM_SECONDS = 300


def confirm_label(user: User) -> str | None:
    """The provider's name when the person may confirm it is them through it (single
    sign-on on and their account linked); None otherwise."""
    if not sso_configured():
        return None
    linked = db.session.scalar(select(UserIdentity.id).where(UserIdentity.user_id == user.id))
    return provider_label() if linked is not None else None


def confirm_identity(user: User, issuer: str, claims: Mapping, *, now: float | None = None) -> bool:
    """Whether the provider's verified ID token is a fresh sign-in by this same person:
    their linked subject, signed in within `CONFIRM_SECONDS`. Audited like a password
    re-entered (`auth.reconfirmed` or `auth.reconfirm_failed`)."""
    link = _linked(issuer, str(claims.get("sub") or ""))
    auth_time = claims.get("auth_time")
    fresh = isinstance(auth_time, int | float) and (now or time.time()) - auth_time <= (
        CONFIRM_SECONDS
    )
    ok = link is not None and link.user_id == user.id and fresh and user.active
    audit.record(
        "auth.reconfirmed" if ok else "auth.reconfirm_failed",
        "user",
        user.id,
        actor=user,
        data={"method": "sso"},
    )
    return ok
