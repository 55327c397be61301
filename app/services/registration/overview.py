"""The list a supervisor or lead sees of the people whose registration they oversee, with
each person's flags, in a fixed number of queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.registration import Qualification
from app.models.users import User, UserRole
from app.services.accounts.organisations import subtree
from app.services.paging import PageNumbers, clamp_page
from app.services.registration.records import RegistrationStatus, registration_status_for


def overseen_people(viewer: User) -> Select[tuple[User]]:
    """Trainees `viewer` supervises (current enrolments) or leads (organisation subtree)."""
    allowed = []
    if viewer.has_role("supervisor"):
        supervised = select(Enrolment.trainee_id).where(
            Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
            or_(
                Enrolment.clinical_supervisor_id == viewer.id,
                Enrolment.education_supervisor_id == viewer.id,
            ),
        )
        allowed.append(User.id.in_(supervised))
    if viewer.has_role("lead") and viewer.organisation_id is not None:
        tree = subtree(viewer.organisation_id)
        allowed.append(User.organisation_id.in_(select(tree.c.id)))
    return select(User).where(
        User.role_rows.any(UserRole.role == "trainee"),
        User.id != viewer.id,
        or_(*allowed) if allowed else false(),
    )


@dataclass(frozen=True)
class PersonRow:
    person: User
    registration: RegistrationStatus
    qualification: Qualification | None
    enrolment: Enrolment | None  # the current (active or paused) one


@dataclass(frozen=True)
class PeoplePage(PageNumbers):
    rows: list[PersonRow]
    total: int
    page: int
    per_page: int

    @property
    def shown(self) -> int:
        return len(self.rows)


def people_overview(viewer: User, *, today: date, page: int = 1, per_page: int = 25) -> PeoplePage:
    query = overseen_people(viewer)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamp_page(page, total, per_page)
    people = db.session.scalars(
        query.options(joinedload(User.organisation))
        .order_by(User.name, User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    ids = [person.id for person in people]
    statuses = registration_status_for(ids, today)
    qualifications = {
        q.user_id: q
        for q in db.session.scalars(select(Qualification).where(Qualification.user_id.in_(ids)))
    }
    enrolments = {
        e.trainee_id: e
        for e in db.session.scalars(
            select(Enrolment).where(
                Enrolment.trainee_id.in_(ids),
                Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
            )
        )
    }
    rows = [
        PersonRow(
            person, statuses[person.id], qualifications.get(person.id), enrolments.get(person.id)
        )
        for person in people
    ]
    return PeoplePage(rows, total, page, per_page)
