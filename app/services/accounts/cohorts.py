"""Cohorts as a lead sees them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.frameworks import Framework
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.accounts.organisations import subtree_ids


@dataclass(frozen=True)
class CohortSummary:
    id: int
    name: str
    organisation: str
    framework: str | None
    current_trainees: int  # active or paused: still in training


def cohort_summaries_for(user: User) -> list[CohortSummary]:
    """Cohorts in the user's organisation subtree with how many of their trainees are still
    in training, active or paused (one query)."""
    if user.organisation_id is None:
        return []
    active = (
        select(Enrolment.cohort_id, func.count(Enrolment.id).label("n"))
        .where(Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES))
        .group_by(Enrolment.cohort_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Cohort.id, Cohort.name, Organisation.name, Framework.title, func.coalesce(active.c.n, 0)
        )
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .outerjoin(Framework, Framework.id == Cohort.framework_id)
        .outerjoin(active, active.c.cohort_id == Cohort.id)
        .where(Cohort.organisation_id.in_(subtree_ids(user.organisation_id)))
        .order_by(Organisation.name, Cohort.name)
    )
    return [CohortSummary(*row) for row in rows]
