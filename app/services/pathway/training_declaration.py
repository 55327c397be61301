"""The supervising professional's declaration of a period of work-based experience: the
words they confirm, who may sign, and the digest of the weeks declared, which locks them.

The declarant is the pharmacist or pharmacy technician the trainee is directly accountable
to: their clinical supervisor (a pharmacist) or their education supervisor (who may be a
pharmacy technician). Their own registration, on either register, must stand on the day
(`registration.signers`), and the statement names the register they are on.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models.registration import Registration, TrainingDeclaration, TrainingWeek
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.errors import DomainError
from app.services.pathway.eligibility import assess_training_eligibility, first_trained_day
from app.services.pathway.training_log import (
    training_period_for,
    week_values,
    weekly_logs,
    weeks_for,
)
from app.services.registration import signers
from app.services.registration.access import supervises
from app.services.registration.gphc import REGISTER_LABELS
from app.services.registration.settings import eligibility_rules
from app.services.rule_results import format_number, long_date
from app.services.supervision.access import refuse_self_supervision


def declaration_statement(
    trainee: User,
    declarant: User,
    register: str,
    period_start: date,
    period_end: date,
    counted_hours: Decimal,
) -> str:
    """The words the supervising professional confirms, stored exactly as shown."""
    minimum = format_number(eligibility_rules().minimum_weekly_supervised_hours)
    return (
        f"I, {declarant.name}, a registered {REGISTER_LABELS[register].lower()}, declare that "
        f"{trainee.name} completed work-based experience from {long_date(period_start)} to "
        f"{long_date(period_end)} under my supervision, directly accountable to a pharmacist "
        f"or pharmacy technician for at least {minimum} hours in each week counted. "
        f"{format_number(counted_hours)} hours in this period meet that rule."
    )


def declarant_refusal(actor: User, today: date) -> signers.SignerRefusal | None:
    """Why `actor`'s own registration stops them declaring today (either register will do)."""
    return signers.signer_refusal(actor.id, today, signers.DECLARATION_REGISTERS)


def declare_training(
    person: User,
    *,
    actor: User,
    period_start: date,
    period_end: date,
    confirmed: bool,
    today: date,
) -> TrainingDeclaration:
    """The clinical supervisor declares a period of the person's work-based experience."""
    signed_with = _declarant_registration(person, actor, today)
    started_on = _check_period(person, period_start, period_end, today)
    weeks = _weeks_in_period(person, period_start, period_end, started_on)
    if not weeks:
        raise DomainError("No weeks are logged in this period", "period_start")
    if not confirmed:
        raise DomainError("Confirm the declaration to sign it", "confirm")
    assessed = assess_training_eligibility(
        period_start,
        weekly_logs(weeks),
        course_start=None,
        today=period_end,
        rules=eligibility_rules(),
    )
    weeks_digest = record_digest({"weeks": [week_values(week) for week in reversed(weeks)]})
    declaration = TrainingDeclaration(
        user_id=person.id,
        declared_by_id=actor.id,
        declarant_gphc_number=signed_with.number,
        declarant_registration=signers.registration_snapshot(signed_with),
        period_start=period_start,
        period_end=period_end,
        counted_hours=assessed.counted_hours,
        weeks_sha256=weeks_digest,
        statement=declaration_statement(
            person, actor, signed_with.register, period_start, period_end, assessed.counted_hours
        ),
    )
    db.session.add(declaration)
    db.session.flush()
    audit.record(
        "training.declared",
        "training_declaration",
        declaration.id,
        actor=actor,
        data={"user_id": person.id, "weeks_sha256": weeks_digest},
    )
    return declaration


def _declarant_registration(person: User, actor: User, today: date) -> Registration:
    """The registration `actor` declares with, as one of `person`'s supervisors; else refuse."""
    refuse_self_supervision(actor.id, person.id)
    if not supervises(actor.id, person.id):
        raise DomainError(
            f"Only {person.name}'s clinical or education supervisor can declare their "
            "training period"
        )
    refusal = declarant_refusal(actor, today)
    if refusal is not None:
        raise signers.SignerNotRegistered(refusal)
    return signers.signing_registration(actor.id, today, signers.DECLARATION_REGISTERS)


def _weeks_in_period(
    person: User, period_start: date, period_end: date, started_on: date
) -> list[TrainingWeek]:
    """The logged weeks a declaration of the period covers.

    A week belongs to the period its first day of training falls in (the week the
    training starts in, from the start day), as the lock on declared weeks reads it.
    """
    return [
        week
        for week in weeks_for(person.id)
        if period_start <= first_trained_day(week.week_starting, started_on) <= period_end
    ]


def _check_period(person: User, period_start: date, period_end: date, today: date) -> date:
    """A declared period lies inside the training so far: after its start, not in the
    future. Returns the training start."""
    period = training_period_for(person.id)
    if period is None:
        raise DomainError("The training start has not been recorded yet", "period_start")
    if period_start < period.started_on:
        raise DomainError(
            f"The period cannot start before the training did, on {long_date(period.started_on)}",
            "period_start",
        )
    if period_end < period_start:
        raise DomainError("The end of the period must be after its start", "period_end")
    if period_end > today:
        raise DomainError("The period cannot end in the future", "period_end")
    return period.started_on


def default_declaration_period(user_id: int, today: date) -> tuple[date | None, date | None]:
    """The training start to the end of the last logged week (for prefilling the form)."""
    period = training_period_for(user_id)
    last = db.session.scalar(
        select(TrainingWeek.week_starting)
        .where(TrainingWeek.user_id == user_id)
        .order_by(TrainingWeek.week_starting.desc())
        .limit(1)
    )
    end = min(last + timedelta(days=6), today) if last else None
    return (period.started_on if period else None), end
