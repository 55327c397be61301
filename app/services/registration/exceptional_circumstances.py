"""Exceptional circumstances in a registration year: recorded by the registrant with a
reason, they lower the revalidation requirement to its floor only once the GPhC's agreement
(its date and reference) is recorded too, at once or later.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models.registration import ExceptionalCircumstances
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration.revalidation_years import year_or_refuse

MAX_REASON = 2_000
MAX_REFERENCE = 100


def exceptional_circumstances_for(
    user_id: int, year_ends_on: date
) -> ExceptionalCircumstances | None:
    return db.session.scalar(
        select(ExceptionalCircumstances).where(
            ExceptionalCircumstances.user_id == user_id,
            ExceptionalCircumstances.year_ends_on == year_ends_on,
        )
    )


def gphc_agreed(circumstances: ExceptionalCircumstances | None) -> bool:
    """Whether the circumstances lower the requirement: only once the GPhC's agreement,
    its date and its reference, is recorded."""
    return (
        circumstances is not None
        and circumstances.gphc_agreed_on is not None
        and bool(circumstances.gphc_reference)
    )


def _clean_agreement(agreed_on: date | None, reference: str | None, today: date) -> str:
    """The reference, once the agreement's date and reference are both valid."""
    if agreed_on is None:
        raise DomainError("Enter the date the GPhC agreed", "gphc_agreed_on")
    if agreed_on > today:
        raise DomainError("The date the GPhC agreed cannot be in the future", "gphc_agreed_on")
    reference = " ".join((reference or "").split())
    if not reference:
        raise DomainError("Enter the GPhC's reference for its agreement", "gphc_reference")
    if len(reference) > MAX_REFERENCE:
        raise DomainError(
            f"Keep the reference to {MAX_REFERENCE} characters or fewer", "gphc_reference"
        )
    return reference


def record_exceptional_circumstances(
    person: User,
    reason: str,
    *,
    actor: User,
    today: date | None = None,
    gphc_agreed_on: date | None = None,
    gphc_reference: str | None = None,
) -> ExceptionalCircumstances:
    """Record this year's exceptional circumstances with the reason. They lower the
    requirement to its floor only with the GPhC's agreement, given now or later."""
    if actor.id != person.id:
        raise DomainError("Only the registrant can record exceptional circumstances")
    _, year = year_or_refuse(person.id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Explain the exceptional circumstances", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"Keep the reason to {MAX_REASON:,} characters or fewer", "reason")
    agreed = gphc_agreed_on is not None or bool((gphc_reference or "").strip())
    reference = (
        _clean_agreement(gphc_agreed_on, gphc_reference, today or uk_today()) if agreed else None
    )
    if exceptional_circumstances_for(person.id, year.ends_on) is not None:
        raise DomainError("Exceptional circumstances are already recorded for this year")
    circumstances = ExceptionalCircumstances(
        user_id=person.id,
        year_ends_on=year.ends_on,
        reason=reason,
        recorded_by_id=actor.id,
        gphc_agreed_on=gphc_agreed_on if agreed else None,
        gphc_reference=reference,
    )
    db.session.add(circumstances)
    db.session.flush()
    audit.record(
        "revalidation.exceptional_circumstances",
        "exceptional_circumstances",
        circumstances.id,
        actor=actor,
        data={
            "user_id": person.id,
            "year_ends_on": year.ends_on.isoformat(),
            "gphc_agreed": gphc_agreed(circumstances),
        },
    )
    return circumstances


def record_gphc_agreement(
    person: User, agreed_on: date | None, reference: str | None, *, actor: User, today: date
) -> ExceptionalCircumstances:
    """Record the GPhC's agreement to this year's exceptional circumstances."""
    if actor.id != person.id:
        raise DomainError("Only the registrant can record the GPhC's agreement")
    _, year = year_or_refuse(person.id)
    circumstances = exceptional_circumstances_for(person.id, year.ends_on)
    if circumstances is None:
        raise DomainError("Record the exceptional circumstances first")
    if gphc_agreed(circumstances):
        raise DomainError("The GPhC's agreement is already recorded for this year")
    circumstances.gphc_reference = _clean_agreement(agreed_on, reference, today)
    circumstances.gphc_agreed_on = agreed_on
    db.session.flush()
    audit.record(
        "revalidation.exceptional_circumstances_agreed",
        "exceptional_circumstances",
        circumstances.id,
        actor=actor,
        data={"user_id": person.id, "year_ends_on": year.ends_on.isoformat()},
    )
    return circumstances


def withdraw_exceptional_circumstances(person: User, *, actor: User) -> None:
    if actor.id != person.id:
        raise DomainError("Only the registrant can withdraw exceptional circumstances")
    _, year = year_or_refuse(person.id)
    circumstances = exceptional_circumstances_for(person.id, year.ends_on)
    if circumstances is None:
        raise DomainError("No exceptional circumstances are recorded for this year")
    circumstances_id = circumstances.id
    db.session.delete(circumstances)
    db.session.flush()
    audit.record(
        "revalidation.exceptional_circumstances_withdrawn",
        "exceptional_circumstances",
        circumstances_id,
        actor=actor,
        data={"user_id": person.id, "year_ends_on": year.ends_on.isoformat()},
    )
