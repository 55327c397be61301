"""GPhC registration records: recording changes, verifying them against the register,
currency flags for lists, and the registration part of the final sign-off gate.

Each change is a new row (the newest is current), so history is kept and a verification
always belongs to the exact number and dates that were checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.database import id_list
from app.extensions import db
from app.models.registration import REGISTERS, REGISTRATION_STATUSES, Registration
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration.access import (
    can_oversee,
    check_can_verify,
    may_keep_signer_registration,
)
from app.services.registration.gphc import (
    REGISTER_LABELS,
    current_registration,
    normalise_gphc_number,
)
from app.services.registration.qualifications import qualification_for
from app.services.registration.rules import (
    REGISTRATION_STATUS_LABELS,
    Currency,
    Level3Facts,
    RenewalPosition,
    expiry_year_problem,
    qualification_problems,
    registration_date_problems,
    renewal_date_problem,
    renewal_position,
)
from app.services.registration.settings import renewal_rules
from app.services.registration.signature_gates import (
    RegistrationFacts,
    final_signoff_registration_problems,
)
from app.services.rule_results import long_date


@dataclass(frozen=True)
class RegistrationDetails:
    """What a person enters when they record or change their registration."""

    register: str
    status: str
    number: str | None
    registered_on: date | None
    expires_on: date | None
    renewed_on: date | None = None  # the start of the current year, when renewed since


def registration_history(user_id: int) -> list[Registration]:
    """Every registration row for the person, newest (the current one) first."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.user_id == user_id)
            .options(joinedload(Registration.verified_by), joinedload(Registration.recorded_by))
            .order_by(Registration.id.desc())
        )
    )


# Dates a trainee, not yet on the register, leaves blank (in the form's order).
TRAINEE_BLANK_DATES = ("registered_on", "expires_on", "renewed_on")


def _clean_details(details: RegistrationDetails) -> RegistrationDetails:
    if details.register not in REGISTERS:
        raise DomainError("Choose the register you are on or joining", "register")
    if details.status not in REGISTRATION_STATUSES:
        raise DomainError("Choose your registration status", "status")
    raw_number = (details.number or "").strip()
    if details.status == "trainee":
        if raw_number:
            raise DomainError(
                "Leave the number blank until you are on the register: trainees do not have one",
                "number",
            )
        dated = [name for name in TRAINEE_BLANK_DATES if getattr(details, name)]
        if dated:
            raise DomainError(
                "Leave the registration, renewal and expiry dates blank until you are registered",
                dated[0],
            )
        return RegistrationDetails(details.register, "trainee", None, None, None)

    if not raw_number:
        raise DomainError("Enter your GPhC registration number", "number")
    try:
        number = normalise_gphc_number(raw_number, details.register)
    except DomainError as error:
        raise DomainError(error.message, "number") from None
    if details.status == "registered":
        if details.registered_on is None:
            raise DomainError("Enter the date you joined the register", "registered_on")
        if details.expires_on is None:
            raise DomainError("Enter the date your registration expires", "expires_on")
    today, rules = uk_today(), renewal_rules()
    joined_problems = registration_date_problems(
        details.registered_on, None, today=today, rules=rules
    )
    if joined_problems:
        raise DomainError(joined_problems[0], "registered_on")
    date_problems = registration_date_problems(
        details.registered_on, details.expires_on, today=today, rules=rules
    )
    if date_problems:
        raise DomainError(date_problems[0], "expires_on")
    _check_registration_year(details, today)
    return RegistrationDetails(
        details.register,
        details.status,
        number,
        details.registered_on,
        details.expires_on,
        details.renewed_on,
    )


def _check_registration_year(details: RegistrationDetails, today: date) -> None:
    """The renewal date, then the expiry at most 13 months after the year's start."""
    args = (details.registered_on, details.renewed_on, details.expires_on)
    renewal = renewal_date_problem(*args, today=today)
    if renewal:
        raise DomainError(renewal, "renewed_on")
    expiry = expiry_year_problem(*args, today=today)
    if expiry:
        raise DomainError(expiry, "expires_on")


DETAIL_NAMES = ("register", "status", "number", "registered_on", "expires_on", "renewed_on")


def _values(row: Registration | RegistrationDetails) -> tuple:
    return (
        row.register,
        row.status,
        row.number,
        row.registered_on,
        row.expires_on,
        row.renewed_on,
    )


def record_registration(person: User, details: RegistrationDetails, *, actor: User) -> Registration:
    """Record a change as a new, unverified row; the person or someone overseeing them."""
    if (
        actor.id != person.id
        and not can_oversee(actor, person)
        and not may_keep_signer_registration(actor, person)
    ):
        raise DomainError("You cannot change this person's registration")
    cleaned = _clean_details(details)
    current = current_registration(person.id)
    if current is not None and _values(current) == _values(cleaned):
        raise DomainError("These are the details already recorded, so nothing has changed")
    registration = Registration(
        user_id=person.id,
        register=cleaned.register,
        status=cleaned.status,
        number=cleaned.number,
        registered_on=cleaned.registered_on,
        renewed_on=cleaned.renewed_on,
        expires_on=cleaned.expires_on,
        recorded_by_id=actor.id,
    )
    db.session.add(registration)
    db.session.flush()
    audit.record(
        "registration.recorded",
        "registration",
        registration.id,
        actor=actor,
        data={
            "user_id": person.id,
            "previous_id": current.id if current else None,
            "digest": record_digest(dict(zip(DETAIL_NAMES, _values(cleaned), strict=True))),
        },
    )
    return registration


def verify_registration(
    person: User, registration_id: int, *, actor: User, today: date
) -> Registration:
    """Record that `actor` checked the current registration on the GPhC register today."""
    if not may_keep_signer_registration(actor, person):
        check_can_verify(actor, person, "registration")
    current = current_registration(person.id)
    if current is None:
        raise DomainError("There is no registration to verify")
    if current.id != registration_id:
        raise DomainError(
            "The registration changed after you opened the page. Check the new details"
        )
    if not current.number:
        raise DomainError("There is no GPhC number to check on the register yet")
    if current.verified_by_id is not None:
        raise DomainError(
            f"This registration was already verified on {long_date(current.verified_on)}"
        )
    current.verified_by_id = actor.id
    current.verified_on = today
    db.session.flush()
    audit.record(
        "registration.verified",
        "registration",
        current.id,
        actor=actor,
        data={"user_id": person.id},
    )
    return current


# --- Currency flags ----------------------------------------------------------------------

FLAG_COLOURS = {
    "none": "grey",
    "trainee": "blue",
    "no-expiry": "yellow",
    "lapsed": "red",
    "removed": "red",
    Currency.CURRENT.value: "green",
    Currency.RENEWAL_DUE.value: "yellow",
    Currency.OVERDUE.value: "orange",
    Currency.EXPIRED.value: "red",
}


class ShownRegistration(NamedTuple):
    """What a status reads of a registration record, as plain columns: reports read these
    for thousands of trainees at once (a `Registration` record serves as well)."""

    user_id: int
    register: str
    number: str | None
    status: str
    registered_on: date | None
    expires_on: date | None
    verified_by_id: int | None


@dataclass(frozen=True)
class RegistrationStatus:
    """A person's current registration as a list or page shows it: a flag in words."""

    user_id: int
    flag: str  # a FLAG_COLOURS key
    label: str
    registration: Registration | ShownRegistration | None = None
    position: RenewalPosition | None = None

    @property
    def detail(self) -> str:
        """A line under the flag: what to do, and by when (worked out only when shown:
        exports list thousands of statuses and never show it)."""
        registration, position = self.registration, self.position
        if registration is None:
            return ""
        if registration.status != "registered":
            register = REGISTER_LABELS[registration.register].lower()
            if registration.status == "trainee":
                return f"Working towards the {register} register"
            return ""
        if position is None:
            return "Add the expiry date"
        if position.currency is Currency.EXPIRED:
            return f"Expired on {long_date(position.expires_on)}"
        if position.currency is Currency.OVERDUE:
            return (
                f"Renewal was due by {long_date(position.renewal_deadline)}; "
                f"expires {long_date(position.expires_on)}"
            )
        return (
            f"Renew by {long_date(position.renewal_deadline)}; "
            f"expires {long_date(position.expires_on)}"
        )

    @property
    def colour(self) -> str:
        return FLAG_COLOURS[self.flag]

    @property
    def verified(self) -> bool:
        return self.registration is not None and self.registration.verified_by_id is not None

    @property
    def needs_verification(self) -> bool:
        return bool(self.registration and self.registration.number) and not self.verified

    @property
    def number(self) -> str | None:
        return self.registration.number if self.registration else None

    @property
    def expires_on(self) -> date | None:
        return self.registration.expires_on if self.registration else None


def status_of(
    user_id: int, registration: Registration | ShownRegistration | None, today: date
) -> RegistrationStatus:
    if registration is None:
        return RegistrationStatus(user_id, "none", "No registration recorded")
    if registration.status != "registered":
        label = REGISTRATION_STATUS_LABELS[registration.status]
        return RegistrationStatus(user_id, registration.status, label, registration)
    if registration.expires_on is None:
        return RegistrationStatus(user_id, "no-expiry", "Expiry not recorded", registration)
    position = renewal_position(registration.expires_on, today, renewal_rules())
    return RegistrationStatus(
        user_id, position.currency.value, position.currency.label, registration, position
    )


def registration_status_for(user_ids: Iterable[int], today: date) -> dict[int, RegistrationStatus]:
    """Each person's current registration flag, in one query however many people."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    # Each one's latest record; the ids bound as one parameter, however many.
    latest = (
        select(func.max(Registration.id))
        .where(Registration.user_id.in_(id_list(ids)))
        .group_by(Registration.user_id)
    )
    rows = db.session.scalars(select(Registration).where(Registration.id.in_(latest)))
    found = {row.user_id: row for row in rows}
    return {user_id: status_of(user_id, found.get(user_id), today) for user_id in ids}


def registration_status(user_id: int, today: date) -> RegistrationStatus:
    return registration_status_for([user_id], today)[user_id]


# --- The final sign-off gate --------------------------------------------------------------


def facts_of(registration: Registration | None) -> RegistrationFacts | None:
    """What a signature gate reads of a registration record: a verification counts only
    when someone other than the person made it."""
    if registration is None:
        return None
    return RegistrationFacts(
        status=registration.status,
        number=registration.number,
        registered_on=registration.registered_on,
        expires_on=registration.expires_on,
        verified=registration.verified_by_id not in (None, registration.user_id),
        register=registration.register,
    )


def final_signoff_prerequisites(user_id: int, today: date) -> list[str]:
    """Every unmet registration and Level 3 prerequisite for the final sign-off, in plain
    English; an empty list means none blocks it."""
    registration_facts = facts_of(current_registration(user_id))
    qualification = qualification_for(user_id)
    level3_facts = None
    if qualification is not None:
        level3_facts = Level3Facts(
            kind=qualification.kind,
            status=qualification.status,
            verified=qualification.verified_by_id is not None,
            achieved_on=qualification.achieved_on,
            title=qualification.title,
            parts_achieved_on=(
                qualification.first_part_achieved_on,
                qualification.second_part_achieved_on,
            ),
            justification=qualification.justification,
        )
    return final_signoff_registration_problems(registration_facts, today) + qualification_problems(
        level3_facts, today
    )
