"""The filter choices a dashboard viewer may pick from: their organisations (indented by
depth), the cohorts of the trainees in their scope, and the supervisors of the trainees in
the organisation or cohort chosen. What they cost is set by the number of organisations
and cohorts, not trainees: supervisors are listed only for a scope of at most
`SUPERVISORS_LISTED_UP_TO` current enrolments (a region's thousands would be neither quick
to find nor usable as a list), and otherwise the chosen one alone is checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.reporting.scope import (
    REPORTED_STATUSES,
    ReportFilters,
    ReportScope,
    enrolment_ids,
    enrolment_placing,
    restrict,
    scope_for,
)

# The most organisations the filter lists whole: past this, it lists those along the way
# to the one chosen (`_open_path`), as a tree opened one level at a time.
ORGANISATIONS_LISTED_UP_TO = 200
# The most current enrolments whose supervisors the filter lists (about one supervisor to
# eight trainees): past this, the viewer narrows by organisation or cohort first.
SUPERVISORS_LISTED_UP_TO = 1_000


@dataclass(frozen=True)
class FilterChoices:
    organisations: list[tuple[int, str]]  # (id, name indented by depth)
    cohorts: list[tuple[int, str]]
    # The supervisors of the trainees in the chosen organisation or cohort (in the whole
    # scope when neither is chosen), and the chosen supervisor if they are in scope.
    supervisors: list[tuple[int, str]]
    # False: those trainees were too many to list their supervisors (the chosen one aside).
    supervisors_listed: bool = True
    # False: the organisations were too many to list, so those inside the chosen one are.
    organisations_listed: bool = True


NO_CHOICES = FilterChoices([], [], [])


def filter_choices(
    viewer: User,
    organisation_id: int | None = None,
    cohort_id: int | None = None,
    supervisor_id: int | None = None,
) -> FilterChoices:
    """What the viewer may filter by: their organisations, the cohorts of the trainees in
    their scope, and the supervisors of those in `organisation_id` and `cohort_id` when
    those are among the choices, with `supervisor_id` if they supervise in scope (4
    queries, 5 for a supervisor; one more to check a chosen supervisor not listed).

    A lead's organisations are their subtree (a trainee in scope through it sits inside
    it), so no trainee is read for them. For a lead over most organisations (a region's),
    each cohort is probed for one current enrolment in scope, which the index finds at
    once, so the cost follows the number of cohorts and not of trainees; a narrower scope
    reads its own enrolments instead, as there most probes would find none after reading
    every enrolment of their cohort."""
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
    all_listed = len(visible) <= ORGANISATIONS_LISTED_UP_TO
    shown = visible if all_listed else _open_path(visible, everyone, organisation_id)
    organisations = [
        (org_id, f"{'- ' * depth}{name}")
        for org_id, name, depth in _tree(everyone)
        if org_id in shown
    ]
    cohorts_query = _cohorts_statement(
        2 * len(subtree) > len(everyone),
        scope.organisation_root_id is not None,
        scope.supervisor_id is not None,
    )
    params = {"root_id": scope.organisation_root_id, "supervisor_id": scope.supervisor_id}
    cohorts = [
        (cid, f"{name} ({org})") for cid, name, org in db.session.execute(cohorts_query, params)
    ]
    narrowed = ReportFilters(
        organisation_id=organisation_id if organisation_id in dict(organisations) else None,
        cohort_id=cohort_id if cohort_id in dict(cohorts) else None,
    )
    listed = _listed_supervisors(scope, narrowed)
    return FilterChoices(
        organisations,
        cohorts,
        _with_chosen(scope, listed or [], supervisor_id),
        listed is not None,
        organisations_listed=all_listed,
    )


def _with_chosen(
    scope: ReportScope, supervisors: list[tuple[int, str]], chosen: int | None
) -> list[tuple[int, str]]:
    """The supervisors listed, with the one chosen if the list lacks them and they
    supervise in `scope` (in name order)."""
    if chosen is None or chosen in dict(supervisors):
        return supervisors
    name = _supervisor_in_scope(scope, chosen)
    if name is None:
        return supervisors
    return sorted([*supervisors, (chosen, name)], key=lambda s: (s[1], s[0]))


def _open_path(visible: set, everyone: Iterable, chosen: int | None) -> set:
    """The organisations a viewer with too many to list is offered: the tops of what they
    see and the organisations just inside them, and, when they chose one they see, every
    organisation on the way down to it and those just inside each (a tree opened along
    one path): at most a few levels of a few dozen, however large the tree."""
    parent_of = {org_id: parent_id for org_id, _name, parent_id in everyone}
    children: dict[int | None, list[int]] = defaultdict(list)
    for org_id, parent_id in parent_of.items():
        children[parent_id].append(org_id)
    visible = visible - {None}  # a trainee of no organisation has nothing to open
    opened = {org_id for org_id in visible if parent_of.get(org_id) not in visible}
    step = chosen
    while step is not None and step in visible:
        opened.add(step)
        step = parent_of.get(step)
    shown = set(opened)
    for org_id in opened:
        shown.update(child for child in children[org_id] if child in visible)
    return shown


def _listed_supervisors(
    scope: ReportScope, narrowed: ReportFilters
) -> list[tuple[int, str]] | None:
    """The supervisors of the current enrolments in `scope` narrowed by organisation and
    cohort, by name; None when those enrolments are too many to list their supervisors
    (counted no further than one past the limit)."""
    in_scope = enrolment_ids(scope, narrowed)
    counted = in_scope.limit(SUPERVISORS_LISTED_UP_TO + 1).subquery()
    if db.session.scalar(select(func.count()).select_from(counted)) > SUPERVISORS_LISTED_UP_TO:
        return None
    supervisor_ids = union(
        select(Enrolment.clinical_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
        select(Enrolment.education_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
    ).subquery()
    query = select(User.id, User.name).where(User.id.in_(select(supervisor_ids.c.id)))
    return [(sid, name) for sid, name in db.session.execute(query.order_by(User.name, User.id))]


def _supervisor_in_scope(scope: ReportScope, supervisor_id: int) -> str | None:
    """The name of `supervisor_id` when a current enrolment in `scope` names them as a
    supervisor (how a choice the list does not hold is checked); else None."""
    person = aliased(User)
    named = or_(
        Enrolment.clinical_supervisor_id == person.id,
        Enrolment.education_supervisor_id == person.id,
    )
    return db.session.scalar(
        select(person.name).where(person.id == supervisor_id, _enrolment_in_scope(scope, named))
    )


@cache
def _cohorts_statement(probed: bool, lead: bool, supervisor: bool) -> Select:
    """The cohort query for a scope of this shape, built once, with the lead's
    organisation and the supervisor as the parameters `root_id` and `supervisor_id`
    (building it anew cost more than running it): each cohort probed for a current
    enrolment in scope (an EXISTS that stops at the first), or the cohorts of the
    scope's enrolments read together."""
    # Parameters stand where the scope holds ids: `restrict` only compares them.
    root = bindparam("root_id", type_=Integer) if lead else None
    supervisor_id = bindparam("supervisor_id", type_=Integer) if supervisor else None
    scope = ReportScope(organisation_root_id=root, supervisor_id=supervisor_id)  # type: ignore[arg-type]
    cohorts = select(Cohort.id, Cohort.name, Organisation.name).join(
        Organisation, Organisation.id == Cohort.organisation_id
    )
    if probed:
        cohorts = cohorts.where(_enrolment_in_scope(scope, Enrolment.cohort_id == Cohort.id))
    else:
        in_scope = select(Enrolment.cohort_id).where(Enrolment.id.in_(enrolment_ids(scope)))
        cohorts = cohorts.where(Cohort.id.in_(in_scope))
    return cohorts.order_by(Cohort.name, Organisation.name)


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
    return restrict(probe, enrolment_placing(trainee), scope).exists()


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
