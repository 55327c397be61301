"""Whose enrolments a progress report covers, and the filters a viewer narrows it with.

- A lead sees the enrolments of trainees inside their organisation's subtree.
- A supervisor sees the enrolments they supervise, clinically or educationally.
- Someone holding both roles sees the union; anyone else (an admin) sees none.
Filters narrow that scope, never widen it: an organisation filter outside the viewer's
scope simply matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.progress import ProgressSummary
from app.models.users import User
from app.services.accounts.organisations import subtree
from app.services.supervision.access import refuse_self_supervision

# Current enrolments: active or paused (a paused trainee is shown as such, not behind).
REPORTED_STATUSES = CURRENT_ENROLMENT_STATUSES


@dataclass(frozen=True)
class ReportScope:
    """The lead's organisation (its subtree) and/or the supervisor whose trainees count."""

    organisation_root_id: int | None = None
    supervisor_id: int | None = None

    @property
    def empty(self) -> bool:
        return self.organisation_root_id is None and self.supervisor_id is None


def scope_for(user: User) -> ReportScope:
    return ReportScope(
        organisation_root_id=user.organisation_id if user.has_role("lead") else None,
        supervisor_id=user.id if user.has_role("supervisor") else None,
    )


@dataclass(frozen=True)
class ReportFilters:
    """What the dashboard's filter form (and the API's query string) narrows the report to.

    `organisation_id` includes the organisations below it (a PCN's practices);
    `supervisor_id` matches the clinical or the education supervisor; `flag` is a
    `report_flags.Flag` value.
    """

    organisation_id: int | None = None
    cohort_id: int | None = None
    supervisor_id: int | None = None
    flag: str | None = None


@dataclass(frozen=True)
class Placing:
    """The columns a scope and its filters are judged on: an enrolment's with its
    trainee's organisation (`enrolment_placing`), or a progress summary's copy of them
    (`SUMMARY_PLACING`), which a report reads without joining the two."""

    organisation_id: ColumnElement[int | None]
    status: ColumnElement[str]
    cohort_id: ColumnElement[int | None]
    clinical_supervisor_id: ColumnElement[int | None]
    education_supervisor_id: ColumnElement[int | None]

    def supervised_by(self, user_id: int) -> ColumnElement[bool]:
        return or_(self.clinical_supervisor_id == user_id, self.education_supervisor_id == user_id)


def enrolment_placing(trainee) -> Placing:
    """The placing of an enrolment joined to `trainee`, an alias of User for its trainee."""
    return Placing(
        trainee.organisation_id,
        Enrolment.status,
        Enrolment.cohort_id,
        Enrolment.clinical_supervisor_id,
        Enrolment.education_supervisor_id,
    )


SUMMARY_PLACING = Placing(
    ProgressSummary.organisation_id,
    ProgressSummary.status,
    ProgressSummary.cohort_id,
    ProgressSummary.clinical_supervisor_id,
    ProgressSummary.education_supervisor_id,
)


def restrict(
    query: Select,
    placing: Placing,
    scope: ReportScope,
    filters: ReportFilters | None = None,
    *,
    statuses: tuple[str, ...] | None = REPORTED_STATUSES,
) -> Select:
    """Add the scope and the SQL-expressible filters to a query on `placing`'s columns.
    `statuses=None` keeps enrolments of every status (a trainee's own page)."""
    allowed = []
    if scope.organisation_root_id is not None:
        tree = subtree(scope.organisation_root_id, "scope_tree")
        allowed.append(placing.organisation_id.in_(select(tree.c.id)))
    if scope.supervisor_id is not None:
        allowed.append(placing.supervised_by(scope.supervisor_id))
    query = query.where(or_(*allowed) if allowed else false())
    if statuses is not None:
        query = query.where(placing.status.in_(statuses))
    if filters is None:
        return query
    if filters.organisation_id is not None:
        tree = subtree(filters.organisation_id, "filter_tree")
        query = query.where(placing.organisation_id.in_(select(tree.c.id)))
    if filters.cohort_id is not None:
        query = query.where(placing.cohort_id == filters.cohort_id)
    if filters.supervisor_id is not None:
        query = query.where(placing.supervised_by(filters.supervisor_id))
    return query


def enrolment_ids(scope: ReportScope, filters: ReportFilters | None = None) -> Select:
    """A subquery of the enrolment ids in scope, for `column.in_(...)`."""
    trainee = aliased(User)
    query = select(Enrolment.id).join(trainee, trainee.id == Enrolment.trainee_id)
    return restrict(query, enrolment_placing(trainee), scope, filters)


def enrolment_in_scope(viewer: User, enrolment_id: int) -> Enrolment | None:
    """The enrolment (any status) if `viewer` may see its progress, else None (a 404);
    the viewer's own enrolment is refused (nobody oversees themselves)."""
    trainee = aliased(User)
    query = (
        select(Enrolment)
        .join(trainee, trainee.id == Enrolment.trainee_id)
        .where(Enrolment.id == enrolment_id)
    )
    enrolment = db.session.scalar(
        restrict(query, enrolment_placing(trainee), scope_for(viewer), statuses=None)
    )
    if enrolment is not None:
        refuse_self_supervision(viewer.id, enrolment.trainee_id)
    return enrolment
