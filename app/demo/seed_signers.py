"""Demonstration signers' registrations, added by `demo seed` beside the rest of the demo:

- the demo supervisor's pharmacist registration, recorded and verified on the GPhC
  register by the demo lead, so every signature of theirs stands;
- a second supervisor whose registration expired ten days ago, with a trainee of their
  own: their sign-off page refuses and says what to do, and their home and the lead's
  dashboard flag it.

Every record goes through the services, so it is validated and audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.models.users import User
from app.services.accounts import organisations, passwords
from app.services.accounts import users as accounts
from app.services.calendar_months import add_months
from app.services.frameworks import catalogue as framework_service
from app.services.registration import records as registration
from app.services.registration.gphc import current_registration
from app.services.supervision import enrolments

LAPSED_SUPERVISOR = ("lapsed.supervisor@example.org", "Robin Hale", "Clifftop PCN", "2045678")
LAPSED_SUPERVISORS_TRAINEE = ("drew.patel@example.org", "Drew Patel", "Clifftop Health Centre")
DEMO_LEAD_EMAIL = "lead@example.org"
DEMO_SUPERVISOR_EMAIL = "supervisor@example.org"


def signer_demo_logins(password: str) -> list[tuple[str, str, str]]:
    return [
        ("supervisor", LAPSED_SUPERVISOR[0], password),
        ("trainee", LAPSED_SUPERVISORS_TRAINEE[0], password),
    ]


def _record_and_verify(
    supervisor: User, lead: User, *, registered_on: date, expires_on: date, verified_on: date
) -> None:
    current = current_registration(supervisor.id)
    if current is not None and current.verified_by_id is not None:
        return
    row = registration.record_registration(
        supervisor,
        registration.RegistrationDetails(
            "pharmacist",
            "registered",
            current.number if current else None,
            registered_on,
            expires_on,
        ),
        actor=lead,
    )
    registration.verify_registration(supervisor, row.id, actor=lead, today=verified_on)


def seed_signers_demo(*, password_hash: str | None, today: date) -> bool:
    """Add the signers' registrations unless they are there; True when something was added."""
    supervisor = accounts.find_user_by_email(DEMO_SUPERVISOR_EMAIL)
    lead = accounts.find_user_by_email(DEMO_LEAD_EMAIL)
    if supervisor is None or lead is None:
        return False
    _seed_supervisor_registration(supervisor, lead, today)
    if password_hash is None:
        from app.demo.seed import DEMO_PASSWORD

        password_hash = passwords.hash_password(DEMO_PASSWORD)
    return _seed_lapsed_supervisor(lead, password_hash=password_hash, today=today)


def _seed_supervisor_registration(supervisor: User, lead: User, today: date) -> None:
    """The demo supervisor's registration, current and verified by the demo lead."""
    _record_and_verify(
        supervisor,
        lead,
        registered_on=date(today.year - 6, 1, 15),
        expires_on=add_months(today, 7),
        verified_on=today,
    )


def _seed_lapsed_supervisor(lead: User, *, password_hash: str, today: date) -> bool:
    """The supervisor whose registration lapsed, unless they exist; True when added."""
    email, name, org_name, number = LAPSED_SUPERVISOR
    ncf = framework_service.find_framework("ncf-pcpt", "3")
    if accounts.find_user_by_email(email) is not None or ncf is None:
        return False
    supervisor = accounts.create_user(
        email=email,
        name=name,
        roles=["supervisor"],
        password=None,
        password_hash=password_hash,
        organisation=organisations.find_organisation(org_name),
        gphc_number=number,
    )
    t_email, t_name, t_org = LAPSED_SUPERVISORS_TRAINEE
    trainee = accounts.create_user(
        email=t_email,
        name=t_name,
        roles=["trainee"],
        password=None,
        password_hash=password_hash,
        organisation=organisations.find_organisation(t_org),
    )
    # Verified by the lead last year; it expired ten days ago and was not renewed.
    _record_and_verify(
        supervisor,
        lead,
        registered_on=date(today.year - 8, 3, 1),
        expires_on=today - timedelta(days=10),
        verified_on=today - timedelta(days=300),
    )
    enrolments.enrol(trainee, ncf, supervisor=supervisor, started_on=today - timedelta(days=60))
    db.session.flush()
    return True
