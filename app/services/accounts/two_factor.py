"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238).

Who must use it: anyone holding a role named in `MFA_REQUIRED_ROLES` (administrators,
education leads and supervisors unless configured otherwise); anyone else may switch it
on and off for themselves. It is on once the person has scanned the set-up QR code and
confirmed it with a code from their app; until then the secret shown is only pending.

A code is six digits for a 30-second time step. The step before and the step after the
current one are accepted too, for a phone clock a little out. A code, or any code from an
earlier step, is never accepted twice: the step of the last one accepted is kept, and
moved on in one conditional UPDATE, so two requests racing with the same code cannot both
win. Ten recovery codes (`recovery_codes`) stand in for the app when it is lost.

An administrator can reset a person's two-factor sign-in: the secret and the recovery
codes go, every session of theirs ends, and they are told by e-mail; if their role
requires it they set it up again at their next sign-in.
"""

from __future__ import annotations

import hmac
import time

import pyotp
from flask import current_app
from sqlalchemy import delete, or_, update

from app.extensions import db
from app.models.base import utcnow
from app.models.two_factor import TwoFactor
from app.models.users import User
from app.services.accounts import recovery_codes
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.notifications.messages import OutgoingMail, path_for, queue_mail

ISSUER = "PCPT Portfolio"
STEP_SECONDS = 30
DRIFT_STEPS = 1
DIGITS = 6

WRONG_CODE = "The code is not correct. Enter the 6-digit code your authenticator app shows now"


def required_roles() -> tuple[str, ...]:
    return tuple(current_app.config.get("MFA_REQUIRED_ROLES") or ())


def is_required(user: User) -> bool:
    """Whether the person's role obliges them to use two-factor sign-in."""
    roles = required_roles()
    return bool(roles) and user.has_role(*roles)


def settings_for(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_enabled(user: User) -> bool:
    row = settings_for(user)
    return row is not None and row.secret is not None


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 advises


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address a QR code carries: the issuer and the account's e-mail."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to read and type than 32 characters in a row."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clock() -> float:
    """The time codes are checked against (tests set it, to try steps either side)."""
    return time.time()


def time_step(now: float | None = None) -> int:
    return int((clock() if now is None else now) // STEP_SECONDS)


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def _matching_step(secret: str, code: str, now: float | None) -> int | None:
    """The time step, within the drift allowed, whose code is `code`; None if none is."""
    code = _normalise_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Move the person's last used step on to `step`, unless it is already there or past."""
    result = db.session.execute(
        update(TwoFactor)
        .where(
            TwoFactor.user_id == user.id,
            or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def check_code(user: User, code: str, *, now: float | None = None) -> bool:
    """Whether `code` is a current authenticator code of the person's, not used before.

    Accepting it uses it up. A failure is audited; the caller keeps the audit event.
    """
    row = settings_for(user)
    step = _matching_step(row.secret, code, now) if row and row.secret else None
    if step is not None and _claim_step(user, step):
        return True
    audit.record("auth.two_factor_failed", "user", user.id, actor=user)
    return False


def check_second_factor(user: User, code: str, *, now: float | None = None) -> bool:
    """At sign-in, or before a declaration: an authenticator code, or else one of the
    person's recovery codes (used up), so someone without their phone is not stuck."""
    normalised = _normalise_code(code)
    if normalised.isdigit() and len(normalised) == DIGITS:
        method, ok = "app", check_code(user, code, now=now)
    else:
        method, ok = "recovery_code", recovery_codes.use(user, code)
        if not ok:
            audit.record("auth.two_factor_failed", "user", user.id, actor=user)
    if ok:
        audit.record("auth.two_factor_passed", "user", user.id, actor=user, data={"method": method})
    return ok


# --- Setting up, switching off, resetting ----------------------------------------------


def start_setup(user: User) -> str:
    """A new secret for the set-up page, pending until a code from it is entered."""
    row = settings_for(user)
    if row is None:
        row = TwoFactor(user_id=user.id)
        db.session.add(row)
    row.pending_secret = new_secret()
    db.session.flush()
    return row.pending_secret


def pending_secret(user: User) -> str | None:
    row = settings_for(user)
    return row.pending_secret if row else None


def confirm_setup(user: User, code: str, *, now: float | None = None) -> list[str]:
    """Switch two-factor on with the pending secret, once `code` shows the app has it;
    returns ten new recovery codes, to be shown once. A wrong code changes nothing but
    the audit trail."""
    row = settings_for(user)
    if row is None or row.pending_secret is None:
        raise DomainError("Start setting up two-factor sign-in again", "code")
    step = _matching_step(row.pending_secret, code, now)
    if step is None:
        audit.record("auth.two_factor_setup_failed", "user", user.id, actor=user)
        raise DomainError(WRONG_CODE, "code")
    replacing = row.secret is not None
    row.secret, row.pending_secret = row.pending_secret, None
    row.last_step = step
    row.enabled_at = utcnow()
    db.session.flush()
    audit.record(
        "auth.two_factor_enabled", "user", user.id, actor=user, data={"replaced": replacing}
    )
    return recovery_codes.replace_all(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for the person; the old ones stop working."""
    if not is_enabled(user):
        raise DomainError("Turn on two-factor sign-in first: recovery codes go with it")
    codes = recovery_codes.replace_all(user)
    audit.record("auth.recovery_codes_replaced", "user", user.id, actor=user)
    return codes


def remaining_recovery_codes(user: User) -> int:
    return recovery_codes.remaining(user)


def _remove(user: User) -> None:
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    recovery_codes.remove_all(user)


def switch_off(user: User) -> None:
    """The person switches two-factor off for themselves, when their role allows."""
    if is_required(user):
        raise DomainError(
            "Your role needs two-factor sign-in, so it cannot be switched off. "
            "If you have a new phone, set it up again instead."
        )
    if not is_enabled(user):
        raise DomainError("Two-factor sign-in is already off")
    _remove(user)
    db.session.flush()
    audit.record("auth.two_factor_disabled", "user", user.id, actor=user)


RESET_MAIL = """Hello {name},

An administrator has reset two-factor sign-in for your PCPT Portfolio account. Your \
authenticator app and your recovery codes no longer work for this account, and you \
have been signed out everywhere.

{next_step}

If you did not ask for this, or do not know why it happened, contact your administrator \
or education lead straight away: someone may be trying to get into your account."""


def reset(user: User, *, actor: User) -> None:
    """An administrator removes the person's authenticator and recovery codes, ends their
    sessions, and tells them by e-mail."""
    if settings_for(user) is None and recovery_codes.remaining(user) == 0:
        raise DomainError(f"{user.name} has not set up two-factor sign-in: nothing to reset")
    _remove(user)
    user.session_version += 1
    db.session.flush()
    audit.record("auth.two_factor_reset", "user", user.id, actor=actor)
    next_step = (
        "The next time you sign in you will be asked to set up an authenticator app again."
        if is_required(user)
        else "You can sign in with your password, and set up two-factor sign-in again "
        "from your account page if you want to."
    )
    queue_mail(
        OutgoingMail(
            to=user.email,
            subject="Your two-factor sign-in was reset",
            body=RESET_MAIL.format(name=user.name, next_step=next_step),
            link=path_for("auth.login", "/auth/login"),
        )
    )
