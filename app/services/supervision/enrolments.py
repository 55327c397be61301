"""Enrolling trainees on a framework version and assigning their supervisors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment, SupervisorAssignment
from app.models.frameworks import Framework
from app.models.organisations import Cohort
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration.gphc import pharmacist_number
from app.services.supervision.access import refuse_self_supervision

# The NCF pathway is designed to take about 18 months.
DEFAULT_DURATION = timedelta(days=548)


_ACTIVE_ENROLMENT = select(Enrolment).where(
    Enrolment.trainee_id == bindparam("trainee_id"), Enrolment.status == "active"
)
_ACTIVE_ENROLMENT_WITH_PEOPLE = _ACTIVE_ENROLMENT.options(
    joinedload(Enrolment.framework), joinedload(Enrolment.clinical_supervisor)
)


def active_enrolment(trainee_id: int, *, with_people: bool = False) -> Enrolment | None:
    """The trainee's active enrolment; `with_people` brings its framework and clinical
    supervisor in the same query, for pages that show them."""
    statement = _ACTIVE_ENROLMENT_WITH_PEOPLE if with_people else _ACTIVE_ENROLMENT
    return db.session.scalar(statement, {"trainee_id": trainee_id})


_CURRENT_ENROLMENT = select(Enrolment).where(
    Enrolment.trainee_id == bindparam("trainee_id"),
    Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
)
_LATEST_ENROLMENT = (
    select(Enrolment)
    .where(Enrolment.trainee_id == bindparam("trainee_id"))
    # The current one first (there is one at most), then the most recent past one.
    .order_by(
        Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES).desc(),
        Enrolment.started_on.desc(),
        Enrolment.id.desc(),
    )
    .limit(1)
)


def current_enrolment(trainee_id: int) -> Enrolment | None:
    """The trainee's current enrolment: active or paused (one at most)."""
    return db.session.scalar(_CURRENT_ENROLMENT, {"trainee_id": trainee_id})


def latest_enrolment(trainee_id: int, *, with_people: bool = False) -> Enrolment | None:
    """The current enrolment, else the most recent completed or withdrawn one: the
    portfolio the trainee reads, and the one the enrolment pages manage."""
    statement = _LATEST_ENROLMENT
    if with_people:
        statement = statement.options(
            joinedload(Enrolment.framework), joinedload(Enrolment.clinical_supervisor)
        )
    return db.session.scalar(statement, {"trainee_id": trainee_id})


def check_can_supervise(supervisor: User, kind: str = "clinical") -> None:
    if not supervisor.active:
        raise DomainError(f"{supervisor.name}'s account is deactivated", "supervisor")
    if not supervisor.has_role("supervisor"):
        raise DomainError(f"{supervisor.name} does not have the supervisor role", "supervisor")
    if kind == "clinical" and pharmacist_number(supervisor.id) is None:
        raise DomainError(
            f"{supervisor.name} has no pharmacist GPhC number (7 digits starting with 2) on record",
            "supervisor",
        )


def _check_people_to_enrol(
    trainee: User, supervisor: User, education_supervisor: User | None
) -> None:
    refuse_self_supervision(supervisor.id, trainee.id, field="supervisor")
    if education_supervisor is not None:
        refuse_self_supervision(education_supervisor.id, trainee.id, field="education_supervisor")
    if not trainee.has_role("trainee"):
        raise DomainError(f"{trainee.name} does not have the trainee role", "trainee")
    current = current_enrolment(trainee.id)
    if current is not None:
        if current.status == "paused":
            raise DomainError(
                f"{trainee.name} has a paused enrolment: resume or withdraw it first", "trainee"
            )
        raise DomainError(f"{trainee.name} already has an active enrolment", "trainee")
    check_can_supervise(supervisor)
    if education_supervisor is not None:
        check_can_supervise(education_supervisor, "education")


def enrol(
    trainee: User,
    framework: Framework,
    *,
    supervisor: User,
    cohort: Cohort | None = None,
    started_on: date | None = None,
    expected_end_on: date | None = None,
    actor: User | None = None,
    education_supervisor: User | None = None,
) -> Enrolment:
    """Enrol `trainee` with their clinical `supervisor` (and, when given, their education
    supervisor: the same as `assign_supervisor` afterwards, in one audited step)."""
    _check_people_to_enrol(trainee, supervisor, education_supervisor)
    started_on = started_on or uk_today()
    expected_end_on = expected_end_on or started_on + DEFAULT_DURATION
    if expected_end_on <= started_on:
        raise DomainError("The expected end date must be after the start date", "expected_end_on")
    if cohort is not None and cohort.framework_id not in (None, framework.id):
        raise DomainError(f"Cohort {cohort.name!r} follows a different framework", "cohort")
    enrolment = Enrolment(
        trainee=trainee,
        framework=framework,
        cohort=cohort,
        clinical_supervisor=supervisor,
        education_supervisor=education_supervisor,
        started_on=started_on,
        expected_end_on=expected_end_on,
        status="active",
    )
    db.session.add(enrolment)
    db.session.flush()
    assigned = {"clinical": supervisor, "education": education_supervisor}
    db.session.add_all(
        SupervisorAssignment(
            enrolment_id=enrolment.id,
            supervisor_id=person.id,
            kind=kind,
            assigned_by_id=actor.id if actor else None,
        )
        for kind, person in assigned.items()
        if person is not None
    )
    data = {"trainee_id": trainee.id, "framework_id": framework.id, "supervisor_id": supervisor.id}
    if education_supervisor is not None:
        data["education_supervisor_id"] = education_supervisor.id
    audit.record("enrolment.created", "enrolment", enrolment.id, actor=actor, data=data)
    return enrolment


def assign_supervisor(
    enrolment: Enrolment, supervisor: User, *, kind: str, actor: User | None
) -> None:
    """Make `supervisor` the current one of `kind`, closing the previous assignment
    (`actor` None: the command line, as for `enrol`)."""
    if kind not in ("clinical", "education"):
        raise DomainError("Choose clinical or education supervisor", "kind")
    if enrolment.status not in CURRENT_ENROLMENT_STATUSES:
        raise DomainError(
            f"This enrolment is {enrolment.status}, which is final: "
            "its supervisors can no longer change",
            "supervisor",
        )
    refuse_self_supervision(supervisor.id, enrolment.trainee_id, field="supervisor")
    check_can_supervise(supervisor, kind)
    current_id = (
        enrolment.clinical_supervisor_id
        if kind == "clinical"
        else enrolment.education_supervisor_id
    )
    if current_id == supervisor.id:
        raise DomainError(f"{supervisor.name} already supervises this trainee", "supervisor")
    now = utcnow()
    open_rows = db.session.scalars(
        select(SupervisorAssignment).where(
            SupervisorAssignment.enrolment_id == enrolment.id,
            SupervisorAssignment.kind == kind,
            SupervisorAssignment.ended_at.is_(None),
        )
    )
    for row in open_rows:
        row.ended_at = now
    if kind == "clinical":
        enrolment.clinical_supervisor = supervisor
    else:
        enrolment.education_supervisor = supervisor
    db.session.add(
        SupervisorAssignment(
            enrolment_id=enrolment.id,
            supervisor_id=supervisor.id,
            kind=kind,
            assigned_by_id=actor.id if actor else None,
            assigned_at=now,
        )
    )
    db.session.flush()
    audit.record(
        "enrolment.supervisor_assigned",
        "enrolment",
        enrolment.id,
        actor=actor,
        data={"kind": kind, "supervisor_id": supervisor.id, "previous_id": current_id},
    )


class SupervisedEnrolment(NamedTuple):
    """A current enrolment as a supervisor's list shows it."""

    id: int
    trainee_id: int
    trainee_name: str
    framework_title: str
    framework_version: str
    cohort_name: str | None
    started_on: date
    clinical_supervisor_name: str | None
    status: str  # active or paused


_TRAINEE, _CLINICAL = aliased(User), aliased(User)
_SUPERVISED_ENROLMENTS = (
    select(
        Enrolment.id,
        Enrolment.trainee_id,
        _TRAINEE.name,
        Framework.title,
        Framework.version,
        Cohort.name,
        Enrolment.started_on,
        _CLINICAL.name,
        Enrolment.status,
    )
    .join(_TRAINEE, _TRAINEE.id == Enrolment.trainee_id)
    .join(Framework, Framework.id == Enrolment.framework_id)
    .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
    .outerjoin(_CLINICAL, _CLINICAL.id == Enrolment.clinical_supervisor_id)
    .where(
        (Enrolment.clinical_supervisor_id == bindparam("supervisor_id"))
        | (Enrolment.education_supervisor_id == bindparam("supervisor_id")),
        Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
    )
    .order_by(Enrolment.started_on, Enrolment.id)
)


def supervised_enrolments(supervisor_id: int) -> list[SupervisedEnrolment]:
    """Current enrolments the supervisor supervises either way, with what their list
    shows, in one query however many trainees."""
    rows = db.session.execute(_SUPERVISED_ENROLMENTS, {"supervisor_id": supervisor_id})
    return [SupervisedEnrolment(*row) for row in rows]


def trainee_in_scope(trainee_id: int, organisation_ids: set[int] | None) -> User | None:
    """A user with the trainee role inside `organisation_ids` (None: anywhere), else None."""
    trainee = db.session.get(User, trainee_id)
    if trainee is None or not trainee.has_role("trainee"):
        return None
    if organisation_ids is not None and trainee.organisation_id not in organisation_ids:
        return None
    return trainee


def enrolable_frameworks() -> list[Framework]:
    """Every imported framework version, newest version of each framework first."""
    return list(
        db.session.scalars(
            select(Framework).order_by(
                Framework.code, Framework.imported_at.desc(), Framework.id.desc()
            )
        )
    )


def enrolments_for(trainee_id: int) -> list[Enrolment]:
    """All of a trainee's enrolments, most recent first, with what a summary shows."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.trainee_id == trainee_id)
            .options(
                joinedload(Enrolment.framework),
                joinedload(Enrolment.cohort),
                joinedload(Enrolment.clinical_supervisor),
                joinedload(Enrolment.education_supervisor),
            )
            .order_by(Enrolment.started_on.desc(), Enrolment.id.desc())
        )
    )


@dataclass(frozen=True)
class AssignmentRecord:
    kind: str
    supervisor_name: str
    assigned_by_name: str | None
    assigned_at: datetime
    ended_at: datetime | None


def assignment_history(enrolment_id: int) -> list[AssignmentRecord]:
    """Who supervised an enrolment and when, oldest first, in one query."""
    supervisor = aliased(User)
    assigned_by = aliased(User)
    rows = db.session.execute(
        select(
            SupervisorAssignment.kind,
            supervisor.name,
            assigned_by.name,
            SupervisorAssignment.assigned_at,
            SupervisorAssignment.ended_at,
        )
        .join(supervisor, supervisor.id == SupervisorAssignment.supervisor_id)
        .outerjoin(assigned_by, assigned_by.id == SupervisorAssignment.assigned_by_id)
        .where(SupervisorAssignment.enrolment_id == enrolment_id)
        .order_by(SupervisorAssignment.assigned_at, SupervisorAssignment.id)
    )
    return [AssignmentRecord(*row) for row in rows]
