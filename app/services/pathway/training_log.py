"""Pre-registration work-based experience: the weekly log, the declarations made over it,
and the eligibility panel built on the pure rules in `eligibility`. Declaring a period is
in `training_declaration`.

A week is logged once and corrected in place (every write audited). Weeks inside a
declared period are locked: what a pharmacy professional declared must not change under
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.registration import TrainingDeclaration, TrainingPeriod, TrainingWeek
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.errors import DomainError, NotFound
from app.services.pathway.eligibility import (
    TrainingEligibility,
    WeeklyLog,
    assess_training_eligibility,
    first_trained_day,
    weekly_log_problems,
)
from app.services.registration.access import can_oversee
from app.services.registration.qualifications import qualification_for
from app.services.registration.settings import eligibility_rules
from app.services.rule_results import long_date, plural

HUNDREDTHS = Decimal("0.01")
EARLIEST_TRAINING_START = date(2000, 1, 1)


@dataclass(frozen=True)
class WeekEntry:
    week_starting: date
    hours: Decimal
    supervised_hours: Decimal
    supervisor_name: str = ""


def _check_may_change(person: User, actor: User) -> None:
    if actor.id != person.id and not can_oversee(actor, person):
        raise DomainError("You cannot change this person's training log")


def training_period_for(user_id: int) -> TrainingPeriod | None:
    return db.session.scalar(select(TrainingPeriod).where(TrainingPeriod.user_id == user_id))


def weeks_for(user_id: int) -> list[TrainingWeek]:
    """The person's logged weeks, most recent first."""
    return list(
        db.session.scalars(
            select(TrainingWeek)
            .where(TrainingWeek.user_id == user_id)
            .order_by(TrainingWeek.week_starting.desc())
        )
    )


def declarations_for(user_id: int) -> list[TrainingDeclaration]:
    return list(
        db.session.scalars(
            select(TrainingDeclaration)
            .where(TrainingDeclaration.user_id == user_id)
            .options(joinedload(TrainingDeclaration.declared_by))
            .order_by(TrainingDeclaration.declared_at.desc(), TrainingDeclaration.id.desc())
        )
    )


def set_training_start(person: User, started_on: date, *, actor: User, today: date) -> None:
    _check_may_change(person, actor)
    if started_on > today:
        raise DomainError("The training start cannot be in the future", "started_on")
    if started_on < EARLIEST_TRAINING_START:
        raise DomainError("Check the year of the training start", "started_on")
    period = training_period_for(person.id)
    if period is not None and period.started_on == started_on:
        raise DomainError("This is the start date already recorded, so nothing has changed")
    if period is None:
        period = TrainingPeriod(user_id=person.id, started_on=started_on)
        db.session.add(period)
    period.started_on = started_on
    period.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        "training.start_set",
        "training_period",
        period.id,
        actor=actor,
        data={"user_id": person.id, "digest": record_digest({"started_on": started_on})},
    )


def parse_hours(raw: object, field: str) -> Decimal:
    """Hours as a Decimal to two places; a person's typing errors become a DomainError."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("Enter hours as a number, like 35 or 13.5", field) from None
    if not value.is_finite():
        raise DomainError("Enter hours as a number, like 35 or 13.5", field)
    if value != value.quantize(HUNDREDTHS):
        raise DomainError("Enter hours to at most two decimal places", field)
    return value.quantize(HUNDREDTHS)


def _declaration_covering(user_id: int, week_starting: date) -> TrainingDeclaration | None:
    """The declaration locking the week (see `training_permissions.covers`)."""
    period = training_period_for(user_id)
    day = first_trained_day(week_starting, period.started_on) if period else week_starting
    return db.session.scalar(
        select(TrainingDeclaration)
        .where(
            TrainingDeclaration.user_id == user_id,
            TrainingDeclaration.period_start <= day,
            TrainingDeclaration.period_end >= day,
        )
        .limit(1)
    )


def _check_not_declared(user_id: int, week_starting: date) -> None:
    declared = _declaration_covering(user_id, week_starting)
    if declared is not None:
        raise DomainError(
            f"The week starting {long_date(week_starting)} is inside the period declared on "
            f"{long_date(declared.declared_at.date())}, so it can no longer be changed",
            "week_starting",
        )


def _clean_week(entry: WeekEntry, today: date) -> WeekEntry:
    week = entry.week_starting
    if week.weekday() != 0:
        raise DomainError(
            f"Weeks start on a Monday; {long_date(week)} is a {week:%A}", "week_starting"
        )
    if week > today:
        raise DomainError("You can log a week once it has started", "week_starting")
    hours = parse_hours(entry.hours, "hours")
    supervised = parse_hours(entry.supervised_hours, "supervised_hours")
    for problem in weekly_log_problems(hours, supervised):
        field = "supervised_hours" if problem.startswith("Supervised") else "hours"
        raise DomainError(problem, field)
    name = " ".join((entry.supervisor_name or "").split())
    if supervised > 0 and not name:
        raise DomainError(
            "Enter the name of the pharmacist or pharmacy technician you were accountable to",
            "supervisor_name",
        )
    if len(name) > 200:
        raise DomainError("The name must be 200 characters or fewer", "supervisor_name")
    return WeekEntry(week, hours, supervised, name)


def week_values(row: TrainingWeek | WeekEntry) -> dict:
    """A week's values as a declaration's digest records them."""
    return {
        "week_starting": row.week_starting,
        "hours": Decimal(row.hours).quantize(HUNDREDTHS),
        "supervised_hours": Decimal(row.supervised_hours).quantize(HUNDREDTHS),
        "supervisor_name": row.supervisor_name,
    }


def log_week(person: User, entry: WeekEntry, *, actor: User, today: date) -> TrainingWeek:
    """Log a week, or correct it when that week is already logged."""
    _check_may_change(person, actor)
    cleaned = _clean_week(entry, today)
    _check_not_declared(person.id, cleaned.week_starting)
    week = db.session.scalar(
        select(TrainingWeek).where(
            TrainingWeek.user_id == person.id,
            TrainingWeek.week_starting == cleaned.week_starting,
        )
    )
    if week is not None and week_values(week) == week_values(cleaned):
        raise DomainError("This week is already logged with these hours, so nothing has changed")
    action = "training_week.corrected" if week else "training_week.logged"
    if week is None:
        week = TrainingWeek(user_id=person.id, week_starting=cleaned.week_starting)
        db.session.add(week)
    week.hours = cleaned.hours
    week.supervised_hours = cleaned.supervised_hours
    week.supervisor_name = cleaned.supervisor_name
    week.recorded_by_id = actor.id
    db.session.flush()
    audit.record(
        action,
        "training_week",
        week.id,
        actor=actor,
        data={"user_id": person.id, "digest": record_digest(week_values(cleaned))},
    )
    return week


def delete_week(person: User, week_id: int, *, actor: User) -> None:
    _check_may_change(person, actor)
    week = db.session.scalar(
        select(TrainingWeek).where(TrainingWeek.id == week_id, TrainingWeek.user_id == person.id)
    )
    if week is None:
        raise NotFound("That week is not in this training log")
    _check_not_declared(person.id, week.week_starting)
    db.session.delete(week)
    db.session.flush()
    audit.record(
        "training_week.deleted", "training_week", week_id, actor=actor, data={"user_id": person.id}
    )


def import_weeks(
    person: User, entries: Sequence[WeekEntry], *, actor: User | None, today: date
) -> int:
    """Add many weeks in one statement and one audit event (demo data, bulk imports).

    Entries are checked like single weeks; a week already logged is refused by the
    database's uniqueness rule, so an import cannot silently double-count.
    """
    if not entries:
        return 0
    cleaned = [_clean_week(entry, today) for entry in entries]
    rows = [
        {
            "user_id": person.id,
            "recorded_by_id": actor.id if actor else None,
            **week_values(entry),
        }
        for entry in cleaned
    ]
    db.session.execute(insert(TrainingWeek), rows)
    audit.record(
        "training_week.imported",
        "user",
        person.id,
        actor=actor,
        data={
            "weeks": len(rows),
            "digest": record_digest({"weeks": [week_values(e) for e in cleaned]}),
        },
    )
    return len(rows)


# --- Eligibility --------------------------------------------------------------------------


def weekly_logs(weeks: Iterable[TrainingWeek]) -> list[WeeklyLog]:
    """Logged weeks as the eligibility rules read them."""
    return [WeeklyLog(w.week_starting, w.hours, w.supervised_hours) for w in weeks]


@dataclass(frozen=True)
class EligibilityPanel:
    """What the eligibility panel shows: the rules' results, or why they cannot run yet."""

    training_start: date | None
    course_start: date | None
    course_end: date | None
    result: TrainingEligibility | None

    @property
    def summary(self) -> str:
        if self.result is None:
            return "Record when your work-based experience started to see the rules"
        unmet = len(self.result.unmet)
        if unmet == 0:
            return "Every rule for registration is met"
        return f"{plural(unmet, 'rule')} not yet met"


def eligibility_for(
    user_id: int, today: date, weeks: Sequence[TrainingWeek] | None = None
) -> EligibilityPanel:
    """Every GPhC rule for registration applied to the person's log (weeks may be passed
    in when the caller has already loaded them)."""
    period = training_period_for(user_id)
    qualification = qualification_for(user_id)
    course_start = qualification.started_on if qualification else None
    course_end = (
        qualification.achieved_on if qualification and qualification.status == "achieved" else None
    )
    if period is None:
        return EligibilityPanel(None, course_start, course_end, None)
    if weeks is None:
        weeks = weeks_for(user_id)
    result = assess_training_eligibility(
        period.started_on,
        weekly_logs(weeks),
        course_start=course_start,
        course_end=course_end,
        today=today,
        rules=eligibility_rules(),
    )
    return EligibilityPanel(period.started_on, course_start, course_end, result)
