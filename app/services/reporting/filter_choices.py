"""The filter choices a dashboard viewer may pick from: their organisations (indented by
depth), and the cohorts and supervisors of the trainees in their scope. What they cost is
set by the number of organisations, cohorts and supervisors, not trainees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.reporting.scope import (
    REPORTED_STATUSES,
    ReportScope,
    enrolment_ids,
    restrict,
    scope_for,
)


@dataclass(frozen=True)
class FilterChoices:
    organisations: list[tuple[int, str]]  # (id, name indented by depth)
    cohorts: list[tuple[int, str]]
    supervisors: list[tuple[int, str]]


NO_CHOICES = FilterChoices([], [], [])


def filter_choices(viewer: User) -> FilterChoices:
    """What the viewer may filter by: their organisations, and the cohorts and supervisors
    of the trainees in their scope (3 queries, 4 for a supervisor).

    A lead's organisations are their subtree (a trainee in scope through it sits inside
    it), so no trainee is read for them. For a lead over most organisations (a region's),
    each cohort and each person named as a supervisor is probed for one current enrolment
    in scope, which the index finds at once, so the cost follows the number of cohorts and
    supervisors and not of trainees; a narrower scope reads its own enrolments instead, as
    there most probes would find none after reading every enrolment of their cohort."""
    scope = scope_for(viewer)
    if scope.empty:
        return NO_CHOICES
    everyone = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.parent_id).order_by(
            Organisation.name, Organisation.id
        )
    ).all()
    subtree: set[int] = set()
    if scope.organisation_root_id is not None:
        subtree = _descendants(scope.organisation_root_id, everyone)
    visible: set[int | None] = set(subtree)
    if scope.supervisor_id is not None:
        # Trainees in scope outside the subtree are ones the viewer supervises.
        visible |= set(db.session.scalars(_supervised_organisations(scope.supervisor_id)))
    organisations = [
        (org_id, f"{'- ' * depth}{name}")
        for org_id, name, depth in _tree(everyone)
        if org_id in visible
    ]
    probed = 2 * len(subtree) > len(everyone)
    cohorts_query, supervisors_query = _choice_statements(
        probed, scope.organisation_root_id is not None, scope.supervisor_id is not None
    )
    params = {"root_id": scope.organisation_root_id, "supervisor_id": scope.supervisor_id}
    cohorts = db.session.execute(cohorts_query, params).all()
    supervisors = db.session.execute(supervisors_query, params).all()
    return FilterChoices(
        organisations=organisations,
        cohorts=[(cid, f"{name} ({org})") for cid, name, org in cohorts],
        supervisors=[(sid, name) for sid, name in supervisors],
    )


@cache
def _choice_statements(probed: bool, lead: bool, supervisor: bool) -> tuple[Select, Select]:
    """The cohort and supervisor queries for a scope of this shape, built once, with the
    lead's organisation and the supervisor as the parameters `root_id` and `supervisor_id`
    (building them anew cost more than running them)."""
    # Parameters stand where the scope holds ids: `restrict` only compares them.
    root = bindparam("root_id", type_=Integer) if lead else None
    supervisor_id = bindparam("supervisor_id", type_=Integer) if supervisor else None
    scope = ReportScope(organisation_root_id=root, supervisor_id=supervisor_id)  # type: ignore[arg-type]
    cohorts, supervisors = (_probed_choices if probed else _choices_from_enrolments)(scope)
    return (
        cohorts.order_by(Cohort.name, Organisation.name),
        supervisors.order_by(User.name, User.id),
    )


def _cohort_choices() -> Select:
    return select(Cohort.id, Cohort.name, Organisation.name).join(
        Organisation, Organisation.id == Cohort.organisation_id
    )


def _probed_choices(scope: ReportScope) -> tuple[Select, Select]:
    """Each cohort, and each person some enrolment names as a supervisor, kept when a
    current enrolment in scope names them: an EXISTS probe that stops at the first."""
    cohorts = _cohort_choices().where(_enrolment_in_scope(scope, Enrolment.cohort_id == Cohort.id))
    named = union(
        select(_distinct_values(Enrolment.clinical_supervisor_id, "clinical_ids").c.value),
        select(_distinct_values(Enrolment.education_supervisor_id, "education_ids").c.value),
    ).subquery()
    supervisors = select(User.id, User.name).where(
        User.id.in_(select(named.c.value)),
        _enrolment_in_scope(
            scope,
            or_(
                Enrolment.clinical_supervisor_id == User.id,
                Enrolment.education_supervisor_id == User.id,
            ),
        ),
    )
    return cohorts, supervisors


def _distinct_values(column: InstrumentedAttribute[int | None], name: str) -> CTE:
    """The distinct values of an indexed enrolment column (NULL left out), as a CTE with a
    `value` column: a loose index scan, one index step from each value to the next, so it
    reads one entry per value rather than one per enrolment."""
    later = aliased(Enrolment)
    later_column = getattr(later, column.key)
    values = select(func.min(column).label("value")).cte(name, recursive=True)
    step = (
        select(later_column)
        .where(later_column > values.c.value)
        .order_by(later_column)
        .limit(1)
        .scalar_subquery()
    )
    return values.union_all(select(step).where(values.c.value.is_not(None)))


def _choices_from_enrolments(scope: ReportScope) -> tuple[Select, Select]:
    """The cohorts and supervisors of the current enrolments in scope, read together."""
    in_scope = enrolment_ids(scope)
    cohorts = _cohort_choices().where(
        Cohort.id.in_(select(Enrolment.cohort_id).where(Enrolment.id.in_(in_scope)))
    )
    supervisor_ids = union(
        select(Enrolment.clinical_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
        select(Enrolment.education_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
    ).subquery()
    supervisors = select(User.id, User.name).where(User.id.in_(select(supervisor_ids.c.id)))
    return cohorts, supervisors


def _supervised_organisations(supervisor_id: int) -> Select:
    """The organisations of the trainees whose current enrolment `supervisor_id`
    supervises either way."""
    trainee = aliased(User)
    return (
        select(trainee.organisation_id)
        .join(Enrolment, Enrolment.trainee_id == trainee.id)
        .where(
            or_(
                Enrolment.clinical_supervisor_id == supervisor_id,
                Enrolment.education_supervisor_id == supervisor_id,
            ),
            Enrolment.status.in_(REPORTED_STATUSES),
        )
        .distinct()
    )


def _enrolment_in_scope(scope: ReportScope, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS a current enrolment in `scope` meeting `condition` (which names the outer
    query's row), correlated to the query it is used in."""
    trainee = aliased(User)
    probe = select(Enrolment.id).join(trainee, trainee.id == Enrolment.trainee_id).where(condition)
    return restrict(probe, trainee, scope).exists()


def _descendants(root_id: int, everyone: Iterable) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for org_id, _name, parent_id in everyone:
        children[parent_id].append(org_id)
    found, stack = set(), [root_id]
    while stack:
        org_id = stack.pop()
        found.add(org_id)
        stack.extend(children[org_id])
    return found


def _tree(everyone: list) -> list[tuple[int, str, int]]:
    """(id, name, depth), parents before children, siblings by name."""
    known = {org_id for org_id, _n, _p in everyone}
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for org_id, name, parent_id in everyone:
        children[parent_id if parent_id in known else None].append((org_id, name))
    ordered = []
    stack = [(org_id, name, 0) for org_id, name in reversed(children[None])]
    while stack:
        org_id, name, depth = stack.pop()
        ordered.append((org_id, name, depth))
        stack.extend((c, n, depth + 1) for c, n in reversed(children[org_id]))
    return ordered
