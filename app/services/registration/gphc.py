"""GPhC registration numbers and the registration record that holds them.

Pharmacists' numbers are 7 digits starting with 2, pharmacy technicians' 7 digits
starting with 5 (premises start with 1 and are never a person's). A number of the
right shape is still unverified until someone checks the register.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models.registration import Registration
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration.rules import expiry_year_problem, registration_date_problems
from app.services.registration.settings import renewal_rules

REGISTER_BY_FIRST_DIGIT = {"2": "pharmacist", "5": "pharmacy-technician"}
REGISTER_LABELS = {"pharmacist": "Pharmacist", "pharmacy-technician": "Pharmacy technician"}


def normalise_gphc_number(raw: str, register: str | None = None) -> str:
    """Spaces removed and the shape checked; `register` insists on one register."""
    number = re.sub(r"\s+", "", raw or "")
    # [0-9], not \d: \d (like str.isdigit) also takes Arabic-Indic and fullwidth digits.
    if not re.fullmatch(r"[0-9]{7}", number):
        raise DomainError("A GPhC registration number is 7 digits, like 2012345", "gphc")
    found = REGISTER_BY_FIRST_DIGIT.get(number[0])
    if found is None:
        raise DomainError(
            "GPhC numbers for pharmacists start with 2 and for pharmacy technicians with 5",
            "gphc",
        )
    if register is not None and found != register:
        expected = "2" if register == "pharmacist" else "5"
        raise DomainError(
            f"This is a {REGISTER_LABELS[found].lower()} number; "
            f"{REGISTER_LABELS[register].lower()} numbers start with {expected}",
            "gphc",
        )
    return number


def current_registration(user_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.user_id == user_id)
        .order_by(Registration.id.desc())
        .limit(1)
    )


def record_number_for(
    user: User,
    number: str,
    *,
    actor: User | None,
    registered_on: date | None = None,
    expires_on: date | None = None,
) -> Registration:
    """Record a (normalised) number, and the dates when known, as a new, unverified
    registration row: someone else checks it on the register before it counts."""
    today = uk_today()
    problems = registration_date_problems(
        registered_on, expires_on, today=today, rules=renewal_rules()
    )
    # No renewal date arrives this way: only a recent joining date bounds the expiry.
    year_problem = expiry_year_problem(registered_on, None, expires_on, today=today)
    if year_problem:
        problems.append(year_problem)
    if problems:
        raise DomainError(problems[0], "gphc")
    registration = Registration(
        user_id=user.id,
        register=REGISTER_BY_FIRST_DIGIT[number[0]],
        number=number,
        status="registered",
        registered_on=registered_on,
        expires_on=expires_on,
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(registration)
    db.session.flush()
    audit.record(
        "registration.recorded",
        "registration",
        registration.id,
        actor=actor,
        data={"user_id": user.id},
    )
    return registration


def pharmacist_number(user_id: int) -> str | None:
    registration = current_registration(user_id)
    if (
        registration
        and registration.register == "pharmacist"
        and registration.status == "registered"
    ):
        return registration.number
    return None
