"""An enrolment's life after enrolling: pausing, resuming, withdrawing, and what completing
it still needs.

- Pause: an active enrolment, with a reason, from a day (today or earlier, not before the
  start or an earlier pause's end) and, if known, the day the trainee expects to return.
  Each pause is kept as a row (`EnrolmentPause`); paused days do not count towards
  expected progress (`supervision.pauses`, the one rule).
- Resume: a paused enrolment, on a day (today or earlier, not before the pause began).
- Withdraw: an active or paused enrolment, with a reason. Its evidence stays, read-only:
  the trainee can read and download it; nobody adds, changes, reviews or signs it.
- Completed and withdrawn are final: nothing here changes them, and refusals say so.
- Transferring to another supervisor is `enrolments.assign_supervisor` (kept history).
- Completing stays the clinical supervisor's final sign-off (`completion.complete`, with
  its signer checks); `completion_state` only says who can complete and what remains.
Every change is written to the audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import ENROLMENT_STATUS_LABELS, Enrolment, EnrolmentPause
from app.models.signoffs import Completion
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.supervision.completion import completion_problems
from app.services.supervision.pauses import PauseSpan, adjusted_end, paused_days

FINAL_STATUSES = ("completed", "withdrawn")
MAX_REASON = 1000


def refuse_if_final(enrolment: Enrolment) -> None:
    if enrolment.status in FINAL_STATUSES:
        raise DomainError(
            f"This enrolment is {enrolment.status}. Completed and withdrawn enrolments are "
            "final: they cannot be paused, resumed, withdrawn or moved to another supervisor."
        )


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"The reason must be {MAX_REASON} characters or fewer", "reason")
    return reason


def _not_future(day: date, today: date, field: str, what: str) -> None:
    if day > today:
        raise DomainError(f"The {what} must be today or in the past", field)


def open_pause(enrolment_id: int) -> EnrolmentPause | None:
    return db.session.scalar(
        select(EnrolmentPause).where(
            EnrolmentPause.enrolment_id == enrolment_id, EnrolmentPause.ended_on.is_(None)
        )
    )


def _last_pause_end(enrolment_id: int) -> date | None:
    return db.session.scalar(
        select(EnrolmentPause.ended_on)
        .where(EnrolmentPause.enrolment_id == enrolment_id, EnrolmentPause.ended_on.is_not(None))
        .order_by(EnrolmentPause.ended_on.desc())
        .limit(1)
    )


def pause(
    enrolment: Enrolment,
    *,
    reason: str | None,
    paused_from: date | None,
    expected_return_on: date | None = None,
    actor: User,
    today: date | None = None,
) -> EnrolmentPause:
    today = today or uk_today()
    refuse_if_final(enrolment)
    if enrolment.status != "active":
        raise DomainError("This enrolment is already paused: resume it first")
    reason = _reason(reason)
    paused_from = paused_from or today
    _not_future(paused_from, today, "paused_from", "date the pause starts")
    if paused_from < enrolment.started_on:
        raise DomainError("The pause cannot start before the training started", "paused_from")
    last_end = _last_pause_end(enrolment.id)
    if last_end is not None and paused_from < last_end:
        raise DomainError("The pause cannot start before the previous pause ended", "paused_from")
    if expected_return_on is not None and expected_return_on <= paused_from:
        raise DomainError(
            "The expected return date must be after the date the pause starts",
            "expected_return_on",
        )
    row = EnrolmentPause(
        enrolment_id=enrolment.id,
        reason=reason,
        paused_from=paused_from,
        expected_return_on=expected_return_on,
        paused_by_id=actor.id,
    )
    db.session.add(row)
    enrolment.status = "paused"
    db.session.flush()
    audit.record(
        "enrolment.paused",
        "enrolment",
        enrolment.id,
        actor=actor,
        data={
            "pause_id": row.id,
            "paused_from": paused_from.isoformat(),
            "expected_return_on": expected_return_on.isoformat() if expected_return_on else None,
            "reason": reason,
        },
    )
    return row


def resume(
    enrolment: Enrolment, *, resumed_on: date | None, actor: User, today: date | None = None
) -> EnrolmentPause:
    today = today or uk_today()
    refuse_if_final(enrolment)
    row = open_pause(enrolment.id)
    if enrolment.status != "paused" or row is None:
        raise DomainError("This enrolment is not paused")
    resumed_on = resumed_on or today
    _not_future(resumed_on, today, "resumed_on", "date the training resumes")
    if resumed_on < row.paused_from:
        raise DomainError("The training cannot resume before the pause started", "resumed_on")
    row.ended_on = resumed_on
    row.ended_by_id = actor.id
    enrolment.status = "active"
    db.session.flush()
    audit.record(
        "enrolment.resumed",
        "enrolment",
        enrolment.id,
        actor=actor,
        data={
            "pause_id": row.id,
            "resumed_on": resumed_on.isoformat(),
            "days_paused": (resumed_on - row.paused_from).days,
        },
    )
    return row


def withdraw(
    enrolment: Enrolment, *, reason: str | None, actor: User, today: date | None = None
) -> None:
    """Withdraw the trainee from the training today; an open pause ends today too."""
    today = today or uk_today()
    refuse_if_final(enrolment)
    reason = _reason(reason)
    row = open_pause(enrolment.id)
    if row is not None:
        row.ended_on = max(today, row.paused_from)
        row.ended_by_id = actor.id
    previous = enrolment.status
    enrolment.status = "withdrawn"
    enrolment.withdrawn_on = today
    enrolment.withdrawal_reason = reason
    enrolment.withdrawn_by_id = actor.id
    db.session.flush()
    audit.record(
        "enrolment.withdrawn",
        "enrolment",
        enrolment.id,
        actor=actor,
        data={"withdrawn_on": today.isoformat(), "previous_status": previous, "reason": reason},
    )


# --- What the pages show ----------------------------------------------------------------


@dataclass(frozen=True)
class PauseRecord:
    reason: str
    paused_from: date
    expected_return_on: date | None
    ended_on: date | None
    paused_by_name: str | None
    ended_by_name: str | None

    @property
    def days(self) -> int:
        return paused_days([PauseSpan(self.paused_from, self.ended_on)], uk_today())


def pause_history(enrolment_id: int) -> list[PauseRecord]:
    """An enrolment's pauses, oldest first, with who paused and resumed (one query)."""
    paused_by, ended_by = aliased(User), aliased(User)
    rows = db.session.execute(
        select(
            EnrolmentPause.reason,
            EnrolmentPause.paused_from,
            EnrolmentPause.expected_return_on,
            EnrolmentPause.ended_on,
            paused_by.name,
            ended_by.name,
        )
        .outerjoin(paused_by, paused_by.id == EnrolmentPause.paused_by_id)
        .outerjoin(ended_by, ended_by.id == EnrolmentPause.ended_by_id)
        .where(EnrolmentPause.enrolment_id == enrolment_id)
        .order_by(EnrolmentPause.paused_from, EnrolmentPause.id)
    )
    return [PauseRecord(*row) for row in rows]


@dataclass(frozen=True)
class LifecycleSummary:
    """An enrolment's status in words, with the dates and people behind it."""

    status: str
    status_label: str
    days_paused: int
    adjusted_end_on: date  # the expected end moved later by the days paused
    current_pause: PauseRecord | None
    pauses: list[PauseRecord]
    withdrawn_on: date | None
    withdrawal_reason: str | None
    withdrawn_by_name: str | None
    completed_at: datetime | None
    completed_by_name: str | None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


def lifecycle_summary(enrolment: Enrolment, today: date | None = None) -> LifecycleSummary:
    today = today or uk_today()
    pauses = pause_history(enrolment.id)
    days = paused_days((PauseSpan(p.paused_from, p.ended_on) for p in pauses), today)
    completion = None
    if enrolment.status == "completed":
        completion = db.session.scalar(
            select(Completion).where(Completion.enrolment_id == enrolment.id)
        )
    withdrawn_by = (
        db.session.get(User, enrolment.withdrawn_by_id) if enrolment.withdrawn_by_id else None
    )
    return LifecycleSummary(
        status=enrolment.status,
        status_label=ENROLMENT_STATUS_LABELS[enrolment.status],
        days_paused=days,
        adjusted_end_on=adjusted_end(enrolment.expected_end_on, days),
        current_pause=next((p for p in pauses if p.ended_on is None), None),
        pauses=pauses,
        withdrawn_on=enrolment.withdrawn_on,
        withdrawal_reason=enrolment.withdrawal_reason,
        withdrawn_by_name=withdrawn_by.name if withdrawn_by else None,
        completed_at=completion.completed_at if completion else None,
        completed_by_name=completion.signer_name if completion else None,
    )


@dataclass(frozen=True)
class CompletionOutlook:
    """For an enrolment not yet complete: who can sign it off as complete, and what the
    final sign-off still needs (`completion.completion_problems`, the signer's own rule)."""

    signer_name: str | None  # the clinical supervisor; None when none is assigned
    remaining: list[str]


def completion_outlook(enrolment: Enrolment, today: date | None = None) -> CompletionOutlook:
    today = today or uk_today()
    supervisor = enrolment.clinical_supervisor
    return CompletionOutlook(
        signer_name=supervisor.name if supervisor else None,
        remaining=completion_problems(enrolment, today),
    )
