"""Creating, changing and signing in user accounts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.organisations import Organisation
from app.models.users import ROLES, User, UserRole
from app.services import audit, passwords
from app.services.errors import DomainError
from app.services.gphc import normalise_gphc_number, record_number_for


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError(f"Enter a valid email address ({exc})", "email") from exc


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _check_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen:
        raise DomainError("Choose at least one role", "roles")
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise DomainError(f"Unknown role {unknown[0]!r}; choose from {', '.join(ROLES)}", "roles")
    return chosen


def create_user(
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    password: str | None,
    organisation: Organisation | None = None,
    gphc_number: str | None = None,
    actor: User | None = None,
    password_hash: str | None = None,
) -> User:
    """Create an account. `password_hash` lets fixtures and seeding skip the slow KDF."""
    email = normalise_email(email)
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        raise DomainError("Enter the person's full name", "name")
    if len(name) > 200:
        raise DomainError("Name must be 200 characters or fewer", "name")
    chosen = _check_roles(roles)
    if find_user_by_email(email) is not None:
        raise DomainError(f"An account for {email} already exists", "email")
    number = normalise_gphc_number(gphc_number) if gphc_number else None
    if password is not None:
        passwords.check_password_rules(password)
        password_hash = passwords.hash_password(password)
    user = User(email=email, name=name, organisation=organisation, password_hash=password_hash)
    user.role_rows = [UserRole(role=r) for r in chosen]
    db.session.add(user)
    db.session.flush()
    if number:
        record_number_for(user, number, actor=actor)
    audit.record("user.created", "user", user.id, actor=actor, data={"roles": chosen})
    return user


def set_roles(user: User, roles: Iterable[str], *, actor: User) -> None:
    chosen = _check_roles(roles)
    if user.id == actor.id and "admin" in user.roles and "admin" not in chosen:
        raise DomainError("You cannot remove your own administrator role", "roles")
    before = sorted(user.roles)
    user.role_rows = [r for r in user.role_rows if r.role in chosen] + [
        UserRole(role=r) for r in chosen if r not in user.roles
    ]
    db.session.flush()
    audit.record(
        "user.roles_changed", "user", user.id, actor=actor, data={"before": before, "after": chosen}
    )


def update_profile(
    user: User, *, name: str, organisation: Organisation | None, actor: User
) -> None:
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        raise DomainError("Enter the person's full name", "name")
    user.name = name
    user.organisation = organisation
    db.session.flush()
    audit.record(
        "user.updated",
        "user",
        user.id,
        actor=actor,
        data={"organisation_id": organisation.id if organisation else None},
    )


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise DomainError("You cannot deactivate your own account")
    user.active = active
    # Ending every session at once is the point of deactivating.
    user.session_version += 1
    db.session.flush()
    audit.record("user.activated" if active else "user.deactivated", "user", user.id, actor=actor)


def authenticate(email: str, password: str) -> User | None:
    """The user when the credentials are right and the account active; else None.

    Unknown e-mails still cost one hash verification, so timing does not reveal them.
    """
    user = find_user_by_email(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        audit.record("auth.login_failed", "user", user.id if user else None, actor=None)
        return None
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", "user", user.id, actor=user)
    return user


def end_all_sessions(user: User) -> None:
    user.session_version += 1
    db.session.flush()
