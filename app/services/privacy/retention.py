"""How long a trainee's portfolio is kept, and erasing the ones kept long enough.

The rule (`RETENTION_YEARS`, 6 unless configured; see SECURITY.md, "Retention and
erasure"): a trainee's personal data is erased once RETENTION_YEARS have passed since
the later of

- the end of their training: the latest end among their enrolments, each ended by its
  completion (the final sign-off's date) or its withdrawal (the withdrawal date), with
  the expected end date standing in for an ended enrolment that recorded neither; and
- the last time they signed in, so an account still in use is never erased.

Only people whose every enrolment has ended count: an enrolment still active or paused,
however old, keeps the record until a lead withdraws it (which starts the clock). People
never enrolled as trainees are not covered by this rule. Someone who still supervises a
current trainee is kept (and reported) until another supervisor is assigned.

Erasing goes through `erasure.erase_person`, one person per transaction with its own
audit event; their stored files are deleted once that transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.signoffs import Completion
from app.models.users import User
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.privacy import erasure
from app.services.storage.store import current_storage
from app.services.storage.transactions import remove_after_commit

DEFAULT_RETENTION_YEARS = 6


@dataclass(frozen=True)
class RetentionCase:
    """A trainee past the retention period; ids and dates only, safe to print."""

    user_id: int
    training_ended_on: date
    ended_by: str  # "completed" or "withdrawn"
    last_sign_in_on: date | None
    supervising: int  # current enrolments they supervise (erasure waits while > 0)

    def describe(self) -> str:
        signed_in = self.last_sign_in_on.isoformat() if self.last_sign_in_on else "never"
        return (
            f"user {self.user_id}: training ended {self.training_ended_on.isoformat()} "
            f"({self.ended_by}), last signed in {signed_in}"
        )


def retention_years() -> int:
    raw = current_app.config.get("RETENTION_YEARS", DEFAULT_RETENTION_YEARS)
    try:
        years = int(raw)
    except (TypeError, ValueError):
        years = 0
    if years < 1 or str(raw).strip() != str(years):
        raise DomainError(f"RETENTION_YEARS must be a whole number of years, 1 or more ({raw!r})")
    return years


def keep_from(today: date, years: int) -> date:
    """The first day still inside the retention period: `years` before today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        return today.replace(year=today.year - years, day=28)


def due_for_erasure(today: date | None = None, years: int | None = None) -> list[RetentionCase]:
    """Trainees whose training ended, and who last signed in, before the period began."""
    cutoff = keep_from(today or uk_today(), years or retention_years())
    current = aliased(Enrolment)
    still_training = exists().where(
        current.trainee_id == User.id, current.status.in_(CURRENT_ENROLMENT_STATUSES)
    )
    rows = db.session.execute(
        select(
            User.id,
            User.last_login_at,
            Enrolment.status,
            Completion.completed_at,
            Enrolment.withdrawn_on,
            Enrolment.expected_end_on,
        )
        .join(Enrolment, Enrolment.trainee_id == User.id)
        .outerjoin(Completion, Completion.enrolment_id == Enrolment.id)
        .where(~still_training, User.email.not_like("erased-%@erased.invalid"))
        .order_by(User.id)
    )
    ends: dict[int, tuple[date, str, date | None]] = {}
    for user_id, last_login, status, completed_at, withdrawn_on, expected_end in rows:
        ended = (uk_today(completed_at) if completed_at else None) or withdrawn_on or expected_end
        how = "completed" if status == "completed" else "withdrawn"
        signed_in = uk_today(last_login) if last_login else None
        if user_id not in ends or ended > ends[user_id][0]:
            ends[user_id] = (ended, how, signed_in)
    due = {
        user_id: found
        for user_id, found in ends.items()
        if max(found[0], found[2] or found[0]) < cutoff
    }
    supervising = _current_supervision(list(due))
    return [
        RetentionCase(user_id, ended, how, signed_in, supervising.get(user_id, 0))
        for user_id, (ended, how, signed_in) in due.items()
    ]


def _current_supervision(user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    found: dict[int, int] = {}
    for column in (Enrolment.clinical_supervisor_id, Enrolment.education_supervisor_id):
        rows = db.session.execute(
            select(column, func.count(Enrolment.id))
            .where(column.in_(user_ids), Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES))
            .group_by(column)
        )
        for user_id, count in rows:
            found[user_id] = found.get(user_id, 0) + count
    return found


@dataclass(frozen=True)
class Outcome:
    case: RetentionCase
    erased: bool
    files: int = 0


def apply(cases: list[RetentionCase], *, dry_run: bool) -> Iterator[Outcome]:
    """Erase each person due (unless `dry_run`), one transaction and audit event each."""
    for case in cases:
        if case.supervising:
            yield Outcome(case, erased=False)
            continue
        person = db.session.get(User, case.user_id)
        erased = erasure.erase_person(person, actor=None)
        if dry_run:
            db.session.rollback()
            yield Outcome(case, erased=False, files=len(erased.storage_keys))
            continue
        storage = current_storage()
        for key in erased.storage_keys:
            remove_after_commit(storage, key)
        db.session.commit()
        yield Outcome(case, erased=True, files=len(erased.storage_keys))
