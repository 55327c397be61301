"""Clinical supervision sessions, and the months that went without one.

The pathway expects at least one clinical supervision session a month, held by the
trainee's clinical supervisor (a pharmacist, for technicians). Only those sessions count:
a session with anyone else (the education supervisor) is kept and shown apart. A month
counts as missed once it has ended with no counted session in it; the current month is
never flagged, since there is still time. Months are counted from the month the
enrolment started.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.supervision import SupervisionSession
from app.models.users import User
from app.services.accounts.organisations import subtree_ids
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.development import objectives
from app.services.errors import DomainError
from app.services.notifications import messages as notifications
from app.services.supervision.access import refuse_self_supervision

DURATION_MAX = 480  # minutes: a session longer than a working day is a typing mistake
TEXT_MAX = 10_000


def record_session(
    enrolment: Enrolment,
    *,
    supervisor: User,
    held_on: date | None,
    duration_minutes: int | None,
    topics: str,
    agreed_actions: str = "",
    today: date,
    objectives_reviewed: Iterable[int] = (),
) -> SupervisionSession:
    """Log a session the supervisor held with the trainee; the trainee can read it.
    `objectives_reviewed`: the open development objectives the session reviewed."""
    _check_recorder(enrolment, supervisor)
    _check_date(enrolment, held_on, today)
    if duration_minutes is None or not 1 <= duration_minutes <= DURATION_MAX:
        raise DomainError(
            f"Enter how long the session lasted, in minutes, from 1 to {DURATION_MAX}",
            "duration_minutes",
        )
    topics, agreed_actions = _clean_text(topics, agreed_actions)
    session = SupervisionSession(
        enrolment_id=enrolment.id,
        supervisor_id=supervisor.id,
        by_clinical_supervisor=supervisor.id == enrolment.clinical_supervisor_id,
        held_on=held_on,
        duration_minutes=duration_minutes,
        topics=topics,
        agreed_actions=agreed_actions,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "supervision_session.recorded",
        "supervision_session",
        session.id,
        actor=supervisor,
        data={
            "enrolment_id": enrolment.id,
            "content_sha256": record_digest(
                {
                    "held_on": held_on,
                    "duration_minutes": duration_minutes,
                    "topics": topics,
                    "agreed_actions": agreed_actions,
                }
            ),
        },
    )
    objectives.review_at_session(
        enrolment, session, reviewer=supervisor, objective_ids=objectives_reviewed
    )
    notifications.notify(
        enrolment.trainee,
        "session_recorded",
        f"{supervisor.name} recorded your supervision session of {held_on.day} {held_on:%B %Y}.",
        notifications.path_for("supervisor.record", enrolment_id=enrolment.id) + "#sessions",
    )
    return session


def _check_recorder(enrolment: Enrolment, supervisor: User) -> None:
    """Only one of the trainee's supervisors, never the trainee, while the training runs."""
    refuse_self_supervision(supervisor.id, enrolment.trainee_id)
    if supervisor.id not in (enrolment.clinical_supervisor_id, enrolment.education_supervisor_id):
        raise DomainError("Only the trainee's supervisors can record supervision sessions")
    if enrolment.status not in CURRENT_ENROLMENT_STATUSES:
        raise DomainError(f"This enrolment is {enrolment.status}: sessions can no longer be added")


def _check_date(enrolment: Enrolment, held_on: date | None, today: date) -> None:
    """A session is held between the training's start and today."""
    if held_on is None:
        raise DomainError("Enter the date of the session", "held_on")
    if held_on > today:
        raise DomainError("The date of the session must be today or in the past", "held_on")
    if held_on < enrolment.started_on:
        raise DomainError(
            f"The date of the session must be on or after the training started "
            f"({enrolment.started_on.day} {enrolment.started_on:%B %Y})",
            "held_on",
        )


def _clean_text(topics: str, agreed_actions: str) -> tuple[str, str]:
    """The topics (required) and agreed actions, trimmed and within the length limit."""
    topics = (topics or "").strip()
    agreed_actions = (agreed_actions or "").strip()
    if not topics:
        raise DomainError("Enter the topics you discussed", "topics")
    for name, value in (("topics", topics), ("agreed_actions", agreed_actions)):
        if len(value) > TEXT_MAX:
            raise DomainError(f"Write {TEXT_MAX:,} characters or fewer", name)
    return topics, agreed_actions


def sessions_for(enrolment_id: int) -> list[SupervisionSession]:
    """Newest first, with who held each."""
    return list(
        db.session.scalars(
            select(SupervisionSession)
            .where(SupervisionSession.enrolment_id == enrolment_id)
            .options(joinedload(SupervisionSession.supervisor))
            .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
        )
    )


@dataclass(frozen=True)
class SessionLog:
    """An enrolment's sessions, newest first: those held by the clinical supervisor, which
    count towards the monthly rule, and the others, logged but not counted."""

    counted: list[SupervisionSession]
    other: list[SupervisionSession]

    @property
    def empty(self) -> bool:
        return not (self.counted or self.other)


def session_log(enrolment_id: int) -> SessionLog:
    sessions = sessions_for(enrolment_id)
    return SessionLog(
        [s for s in sessions if s.by_clinical_supervisor],
        [s for s in sessions if not s.by_clinical_supervisor],
    )


def missed_months(enrolment: Enrolment, log: SessionLog, today: date) -> list[date]:
    """The ended months with no session held by the clinical supervisor."""
    return months_without_session(enrolment.started_on, [s.held_on for s in log.counted], today)


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def months_without_session(started_on: date, held: Iterable[date], today: date) -> list[date]:
    """First days of the ended months, from the start month, in which no session was held."""
    covered = {_month_number(day) for day in held}
    return [
        date(number // 12, number % 12 + 1, 1)
        for number in range(_month_number(started_on), _month_number(today))
        if number not in covered
    ]


@dataclass(frozen=True)
class SessionOverview:
    enrolment_id: int
    trainee_name: str
    supervisor_name: str | None
    session_count: int  # held by the clinical supervisor: what the monthly rule counts
    last_held_on: date | None
    missed_months: list[date]
    other_count: int = 0  # held by someone else: logged, not counted


def overview_for(enrolments: list[Enrolment], today: date) -> list[SessionOverview]:
    """Sessions held and months missed per enrolment, in one query for all of them."""
    return overview_of(
        [
            (
                e.id,
                e.trainee.name,
                e.clinical_supervisor.name if e.clinical_supervisor else None,
                e.started_on,
            )
            for e in enrolments
        ],
        today,
    )


def overview_of(
    enrolments: list[tuple[int, str, str | None, date]], today: date
) -> list[SessionOverview]:
    """`overview_for` from (enrolment id, trainee name, clinical supervisor name, started
    on) tuples, for lists that read those as columns."""
    held: dict[int, list[date]] = defaultdict(list)
    others: dict[int, int] = defaultdict(int)
    if enrolments:
        rows = db.session.execute(
            select(
                SupervisionSession.enrolment_id,
                SupervisionSession.held_on,
                SupervisionSession.by_clinical_supervisor,
            ).where(SupervisionSession.enrolment_id.in_([e[0] for e in enrolments]))
        )
        for enrolment_id, held_on, by_clinical_supervisor in rows:
            if by_clinical_supervisor:
                held[enrolment_id].append(held_on)
            else:
                others[enrolment_id] += 1
    return [
        SessionOverview(
            enrolment_id=enrolment_id,
            trainee_name=trainee_name,
            supervisor_name=supervisor_name,
            session_count=len(held[enrolment_id]),
            last_held_on=max(held[enrolment_id], default=None),
            missed_months=months_without_session(started_on, held[enrolment_id], today),
            other_count=others[enrolment_id],
        )
        for enrolment_id, trainee_name, supervisor_name, started_on in enrolments
    ]


def overview_for_lead(lead: User, today: date) -> list[SessionOverview]:
    """Current enrolments of trainees inside the lead's organisation subtree (2 queries)."""
    if lead.organisation_id is None:
        return []
    trainee = aliased(User)
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .join(trainee, trainee.id == Enrolment.trainee_id)
            .where(
                Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
                trainee.organisation_id.in_(subtree_ids(lead.organisation_id)),
            )
            .options(joinedload(Enrolment.trainee), joinedload(Enrolment.clinical_supervisor))
            .order_by(trainee.name, Enrolment.id)
        )
    )
    return overview_for(enrolments, today)


def format_month(month: date) -> str:
    return f"{month:%B %Y}"
