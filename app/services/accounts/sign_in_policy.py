"""Whether a person may sign in with a password.

An organisation that signs its people in through single sign-on can switch password
sign-in off. The choice holds for its own people and for everyone in the organisations
inside it: a training hub that switches it off covers its PCNs and practices, and nothing
below can switch it back on for itself. People with no organisation keep passwords.

While single sign-on is not configured (no OIDC_DISCOVERY_URL), passwords always work:
switching them off then would leave nobody a way in, so it is refused, and a setting
left from an earlier configuration is ignored.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.organisations import Organisation
from app.models.users import User
from app.services.accounts.organisations import ancestors
from app.services.audit import chain as audit
from app.services.errors import DomainError


class PasswordSignInOff(DomainError):
    """The password was right, but the person's organisation signs in only through SSO."""


def sso_configured() -> bool:
    return bool(current_app.config.get("OIDC_DISCOVERY_URL"))


def provider_label() -> str:
    return current_app.config.get("OIDC_PROVIDER_LABEL") or "single sign-on"


def sso_button_label() -> str | None:
    """The provider's name for the sign-in page's button; None while SSO is off."""
    return provider_label() if sso_configured() else None


def switched_off_by(organisation_id: int | None) -> Organisation | None:
    """The organisation, this one or one above it, that switched password sign-in off."""
    if organisation_id is None:
        return None
    chain = ancestors(organisation_id)
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.id.in_(select(chain.c.id)), Organisation.password_sign_in.is_(False))
        .order_by(Organisation.id)
        .limit(1)
    )


def switched_off_by_for(user: User) -> Organisation | None:
    """The organisation whose setting keeps `user` to single sign-on; None when they may
    use a password (always, while single sign-on is not configured)."""
    return switched_off_by(user.organisation_id) if sso_configured() else None


def password_sign_in_allowed(user: User) -> bool:
    """False when the person must use single sign-on: no password sign-in, and no
    password reset either (a reset would only hand them a password they cannot use)."""
    return switched_off_by_for(user) is None


def set_password_sign_in(org: Organisation, allowed: bool, *, actor: User) -> None:
    if org.password_sign_in == allowed:
        return
    if not allowed and not sso_configured():
        raise DomainError(
            "Single sign-on is not set up for this service, so password sign-in cannot be "
            "switched off: nobody in the organisation would have a way to sign in.",
            "password_sign_in",
        )
    org.password_sign_in = allowed
    db.session.flush()
    audit.record(
        "organisation.password_sign_in_changed",
        "organisation",
        org.id,
        actor=actor,
        data={"password_sign_in": allowed},
    )
