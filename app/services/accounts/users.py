"""Creating, changing and signing in user accounts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.base import utcnow
from app.models.frameworks import Framework
from app.models.organisations import Cohort, Organisation
from app.models.users import ROLES, User, UserRole
from app.services.accounts import api_tokens, passwords, sign_in_policy
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.paging import PageNumbers, clamp_page
from app.services.registration.gphc import normalise_gphc_number, record_number_for


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
    gphc_registered_on: date | None = None,
    gphc_expires_on: date | None = None,
) -> User:
    """Create an account. `password_hash` lets fixtures and seeding skip the slow KDF; the
    GPhC number (and its dates) is recorded unverified, for someone else to check."""
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
        record_number_for(
            user,
            number,
            actor=actor,
            registered_on=gphc_registered_on,
            expires_on=gphc_expires_on,
        )
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
    # Ending every session and API token at once is the point of deactivating; on
    # reactivation too, so nothing made before the account was stopped comes back.
    user.session_version += 1
    db.session.flush()
    audit.record("user.activated" if active else "user.deactivated", "user", user.id, actor=actor)
    api_tokens.revoke_all(user, actor=actor, reason="reactivated" if active else "deactivated")


def authenticate(email: str, password: str) -> User | None:
    """The user when the credentials are right and the account active; else None.
    `PasswordSignInOff` when they are right but the person's organisation uses SSO only.

    Unknown e-mails still cost one hash verification, so timing does not reveal them.
    """
    user = find_user_by_email(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        audit.record("auth.login_failed", "user", user.id if user else None, actor=None)
        return None
    # Checked only once the password is right, so the answer says no more about who has
    # an account than a successful sign-in would.
    if not sign_in_policy.password_sign_in_allowed(user):
        audit.record(
            "auth.login_failed", "user", user.id, actor=None, data={"reason": "password_off"}
        )
        raise sign_in_policy.PasswordSignInOff(
            f"Your organisation signs in with {sign_in_policy.provider_label()}. "
            f"Use the “Sign in with {sign_in_policy.provider_label()}” button."
        )
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    return user


def record_sign_in(user: User, *, method: str, second_factor: bool) -> None:
    """The person is signed in (every factor given): the time, and one audit event.

    Written when the sign-in is complete, not when the password (or single sign-on) was
    right: someone who stops at the second factor has not signed in.
    """
    user.last_login_at = utcnow()
    audit.record(
        "auth.login",
        "user",
        user.id,
        actor=user,
        data={"method": method, "second_factor": second_factor},
    )


def confirm_password(user: User, password: str) -> bool:
    """Check the signed-in user's password again (a fresh authentication)."""
    ok = passwords.verify_password(user.password_hash, password)
    audit.record("auth.reconfirmed" if ok else "auth.reconfirm_failed", "user", user.id, actor=user)
    return ok


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; every session and API token of
    theirs ends.

    The view starts a fresh session for the person changing it; any other device, any
    copied cookie and any token made with the old password is signed out.
    """
    if not passwords.verify_password(user.password_hash, current):
        audit.record("auth.password_change_failed", "user", user.id, actor=user)
        raise DomainError("Your current password is not correct", "current_password")
    try:
        passwords.check_password_rules(new)
    except DomainError as error:
        raise DomainError(error.message, "new_password") from None
    user.password_hash = passwords.hash_password(new)
    user.session_version += 1
    db.session.flush()
    audit.record("auth.password_changed", "user", user.id, actor=user)
    api_tokens.revoke_all(user, actor=user, reason="password_changed")


def end_all_sessions(user: User) -> None:
    """Signing out: every browser session of the person ends (a copied cookie too). Their
    API tokens stay: each is a separate credential with its own expiry, revoked on the
    tokens page or with `sign_out_everywhere`."""
    user.session_version += 1
    db.session.flush()


def sign_out_everywhere(user: User) -> int:
    """End every session and every API token of `user` at once, for when they fear someone
    else has their password, a device or a token; returns how many tokens ended."""
    user.session_version += 1
    db.session.flush()
    audit.record("auth.signed_out_everywhere", "user", user.id, actor=user)
    return api_tokens.revoke_all(user, actor=user, reason="signed_out_everywhere")


@dataclass(frozen=True)
class UserPage(PageNumbers):
    """One page of a filtered user list, with what pagination needs."""

    items: list[User]
    total: int
    page: int
    per_page: int

    @property
    def shown(self) -> int:
        return len(self.items)


def list_users(
    *, role: str | None = None, search: str | None = None, page: int = 1, per_page: int = 25
) -> UserPage:
    """Users by name, filtered; three queries whatever the page size (count, rows, roles)."""
    query = select(User)
    if role:
        query = query.where(User.role_rows.any(UserRole.role == role))
    search = (search or "").strip()
    if search:
        query = query.where(
            User.name.icontains(search, autoescape=True)
            | User.email.icontains(search, autoescape=True)
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamp_page(page, total, per_page)
    items = db.session.scalars(
        query.options(joinedload(User.organisation), selectinload(User.role_rows))
        .order_by(User.name, User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return UserPage(list(items), total, page, per_page)


def user_in_scope(user_id: int, organisation_ids: set[int] | None) -> User | None:
    """The user, when they belong to one of `organisation_ids` (None: anywhere)."""
    user = db.session.get(User, user_id)
    if user is None:
        return None
    if organisation_ids is not None and user.organisation_id not in organisation_ids:
        return None
    return user


def supervisor_candidates(organisation_ids: set[int] | None) -> list[User]:
    """Active users holding the supervisor role, within `organisation_ids` (None: anywhere)."""
    query = (
        select(User)
        .where(User.active.is_(True), User.role_rows.any(UserRole.role == "supervisor"))
        .options(joinedload(User.organisation))
        .order_by(User.name, User.id)
    )
    if organisation_ids is not None:
        query = query.where(User.organisation_id.in_(organisation_ids))
    return list(db.session.scalars(query))


def update_account(
    user: User,
    *,
    name: str,
    roles: Iterable[str],
    organisation: Organisation | None,
    actor: User,
) -> None:
    """Change roles and profile together; only what changed is changed (and audited)."""
    name = re.sub(r"\s+", " ", name).strip()
    if not name:  # checked before anything changes, so a refusal leaves the user as they were
        raise DomainError("Enter the person's full name", "name")
    chosen = set(roles)
    if chosen != set(user.roles):
        set_roles(user, chosen, actor=actor)
    organisation_id = organisation.id if organisation else None
    if name != user.name or organisation_id != user.organisation_id:
        update_profile(user, name=name, organisation=organisation, actor=actor)


def administration_counts() -> dict[str, int]:
    """How many users, organisations, cohorts and framework versions exist (one query)."""
    row = db.session.execute(
        select(
            select(func.count(User.id)).scalar_subquery(),
            select(func.count(Organisation.id)).scalar_subquery(),
            select(func.count(Cohort.id)).scalar_subquery(),
            select(func.count(Framework.id)).scalar_subquery(),
        )
    ).one()
    return dict(zip(("users", "organisations", "cohorts", "frameworks"), row, strict=True))
