"""The progress report's base query: the enrolments in a viewer's scope, with their
trainee, organisation, cohort and supervisors, by name, read as `BaseRow`s. Every other
fact is read per batch of these rows (`progress_facts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from app.models.enrolments import Enrolment
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.reporting.scope import ReportFilters, enrolment_placing, restrict, scope_for


@dataclass(frozen=True, slots=True)
class BaseRow:
    """A trainee's base query row: the enrolment and its people."""

    enrolment_id: int
    trainee_id: int
    name: str
    email: str
    organisation_id: int | None
    organisation: str | None
    cohort_id: int | None
    cohort: str | None
    framework_id: int
    clinical_supervisor_id: int | None
    clinical_supervisor: str | None
    education_supervisor_id: int | None
    education_supervisor: str | None
    started_on: date
    expected_end_on: date
    pathway_status: str
    wte: Decimal | None
    protected_learning_days_used: Decimal | None
    protected_learning_days_planned: Decimal | None
    funding: str | None
    afc_band: str | None
    status: str  # the enrolment's: active or paused


def base_rows(rows: Iterable) -> list[BaseRow]:
    return [BaseRow(*row) for row in rows]


def base_query(viewer: User, filters: ReportFilters) -> Select:
    """The enrolments in scope with their people, by name: columns as `BaseRow` names them."""
    trainee = aliased(User)
    clinical = aliased(User)
    education = aliased(User)
    query = (
        select(
            Enrolment.id.label("enrolment_id"),
            Enrolment.trainee_id,
            trainee.name,
            trainee.email,
            trainee.organisation_id,
            Organisation.name.label("organisation"),
            Enrolment.cohort_id,
            Cohort.name.label("cohort"),
            Enrolment.framework_id,
            Enrolment.clinical_supervisor_id,
            clinical.name.label("clinical_supervisor"),
            Enrolment.education_supervisor_id,
            education.name.label("education_supervisor"),
            Enrolment.started_on,
            Enrolment.expected_end_on,
            Enrolment.pathway_status,
            Enrolment.wte,
            Enrolment.protected_learning_days_used,
            Enrolment.protected_learning_days_planned,
            Enrolment.funding,
            Enrolment.afc_band,
            Enrolment.status,
        )
        .join(trainee, trainee.id == Enrolment.trainee_id)
        .outerjoin(Organisation, Organisation.id == trainee.organisation_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(clinical, clinical.id == Enrolment.clinical_supervisor_id)
        .outerjoin(education, education.id == Enrolment.education_supervisor_id)
        .order_by(trainee.name, Enrolment.id)
    )
    return restrict(query, enrolment_placing(trainee), scope_for(viewer), filters)
