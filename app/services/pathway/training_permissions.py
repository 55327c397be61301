"""What may be done with a person's training log now, and by whom: asked before a page
offers it.

- A declared period locks every logged week whose first day of training falls inside it,
  both ends included (the week the training starts in, from the start day): what a
  pharmacy professional declared must not change under them (`training_log` refuses the
  change, with the declaration's date).
- Only a supervisor the person is directly accountable to on a current enrolment (their
  clinical supervisor, a pharmacist, or their education supervisor, who may be a pharmacy
  technician) declares their training period, and never their own
  (`training_declaration.declare_training` refuses anyone else).
- The training log belongs to someone working towards registration: it shows once a
  training start is recorded, or while there is no registration, or only a trainee one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from app.models.registration import TrainingDeclaration, TrainingWeek
from app.models.users import User
from app.services.pathway.eligibility import first_trained_day
from app.services.registration.access import supervises
from app.services.registration.records import RegistrationStatus
from app.services.supervision.access import is_self_supervision


def covers(
    declaration: TrainingDeclaration, week_starting: date, training_start: date | None
) -> bool:
    """True when the declaration's period locks the week starting on `week_starting`."""
    day = first_trained_day(week_starting, training_start) if training_start else week_starting
    return declaration.period_start <= day <= declaration.period_end


def locked_week_ids(
    weeks: Iterable[TrainingWeek],
    declarations: Iterable[TrainingDeclaration],
    training_start: date | None,
) -> frozenset[int]:
    """The logged weeks a declaration covers, which can no longer be changed or removed."""
    declared = list(declarations)
    return frozenset(
        week.id
        for week in weeks
        if any(covers(d, week.week_starting, training_start) for d in declared)
    )


def may_declare(actor: User, person: User) -> bool:
    """True when `actor` may sign a declaration of `person`'s training period."""
    return not is_self_supervision(actor.id, person.id) and supervises(actor.id, person.id)


def shows_training_log(training_start: date | None, registration: RegistrationStatus) -> bool:
    """True when the person's overview shows their training log and its eligibility panel."""
    return training_start is not None or registration.flag in ("none", "trainee")
