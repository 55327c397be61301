"""Who may put their name to a sign-off, a revocation or the final sign-off, and when.

The signer is the enrolment's clinical supervisor, an active supervisor, never the
trainee themselves, and re-entered their password within the last few minutes
(`FRESH_AUTHENTICATION`). Their own GPhC registration must stand on the day of signing,
on the pharmacist register (`registration.signers`, the same checks as the trainee's).
Each of these writes locks the enrolment's row first, so they happen one at a time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.registration import Registration
from app.models.users import User
from app.services.errors import DomainError, NotFound
from app.services.registration import signers
from app.services.supervision.access import refuse_self_supervision
from app.services.supervision.permissions import open_for_signing

FRESH_AUTHENTICATION = timedelta(minutes=5)


class ReauthenticationRequired(DomainError):
    """The signer must re-enter their password before this declaration."""


def check_fresh(authenticated_at: datetime | None, now: datetime) -> None:
    if authenticated_at is None or not (
        now - FRESH_AUTHENTICATION <= authenticated_at <= now + timedelta(seconds=5)
    ):
        raise ReauthenticationRequired("Confirm your password again before you sign")


def signer_registration(
    enrolment: Enrolment, signer: User, today: date, *, require_active: bool = True
) -> Registration:
    """The registration the signer signs with for this enrolment today; else refuse.

    `require_active=False` leaves the enrolment's status to the caller (the final sign-off
    lists it with the other prerequisites).
    """
    trainee = enrolment.trainee
    refuse_self_supervision(signer.id, enrolment.trainee_id)
    if signer.id != enrolment.clinical_supervisor_id:
        raise DomainError(f"Only {trainee.name}'s clinical supervisor can sign off their training")
    if not signer.active or not signer.has_role("supervisor"):
        raise DomainError("Only an active supervisor can sign off training")
    registration = signers.signing_registration(signer.id, today, signers.SIGN_OFF_REGISTERS)
    if require_active and not open_for_signing(enrolment):
        raise DomainError(f"This enrolment is {enrolment.status}: nothing more can be signed")
    return registration


def lock_enrolment(enrolment_id: int) -> Enrolment:
    """Re-read the enrolment under a row lock (PostgreSQL; SQLite writers are already serial)."""
    found = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("Enrolment not found")
    return found
