"""Organisations form a tree; a lead sees everything in their subtree."""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import ColumnElement, Select, Subquery, delete, insert, literal, select, true
from sqlalchemy.orm import aliased, contains_eager

from app.extensions import db
from app.models.frameworks import Framework
from app.models.organisations import ORGANISATION_KINDS, Cohort, Organisation, OrganisationPath
from app.models.users import User
from app.services.audit import chain as audit
from app.services.errors import DomainError, NotFound


def find_organisation(name: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name.strip()))
    if org is None:
        raise NotFound(f"No organisation is called {name.strip()!r}", "organisation")
    return org


def create_organisation(
    name: str,
    kind: str,
    parent: Organisation | None = None,
    *,
    actor: User | None = None,
    ods_code: str | None = None,
) -> Organisation:
    name = name.strip()
    if not name:
        raise DomainError("Enter the organisation's name", "name")
    if kind not in ORGANISATION_KINDS:
        raise DomainError(f"Kind must be one of: {', '.join(ORGANISATION_KINDS)}", "kind")
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise DomainError(f"An organisation called {name!r} already exists", "name")
    org = Organisation(name=name, kind=kind, parent=parent, ods_code=(ods_code or None))
    db.session.add(org)
    db.session.flush()
    db.session.execute(
        insert(OrganisationPath).values(ancestor_id=org.id, descendant_id=org.id, depth=0)
    )
    _hang_below(org.id, parent.id if parent else None)
    audit.record(
        "organisation.created",
        "organisation",
        org.id,
        actor=actor,
        data={"parent_id": parent.id if parent else None},
    )
    return org


def update_organisation(
    org: Organisation, *, name: str, kind: str, parent: Organisation | None, actor: User
) -> None:
    if parent is not None and parent.id in subtree_ids(org.id):
        raise DomainError("An organisation cannot sit inside itself", "parent")
    name = name.strip()
    clash = db.session.scalar(
        select(Organisation.id).where(Organisation.name == name, Organisation.id != org.id)
    )
    if clash:
        raise DomainError(f"An organisation called {name!r} already exists", "name")
    if kind not in ORGANISATION_KINDS:
        raise DomainError(f"Kind must be one of: {', '.join(ORGANISATION_KINDS)}", "kind")
    moved = org.parent_id != (parent.id if parent else None)
    org.name, org.kind, org.parent = name, kind, parent
    db.session.flush()
    if moved:
        _hang_below(org.id, org.parent_id)
    audit.record(
        "organisation.updated",
        "organisation",
        org.id,
        actor=actor,
        data={"parent_id": parent.id if parent else None},
    )


def _hang_below(org_id: int, parent_id: int | None) -> None:
    """Keep the closure true after `org_id` (and everything below it) takes its place
    under `parent_id`: the paths from outside its subtree into it go, and one goes in
    from each organisation at or above the parent to each in the subtree."""
    path, above, under = OrganisationPath, aliased(OrganisationPath), aliased(OrganisationPath)
    inside = select(path.descendant_id).where(path.ancestor_id == org_id).scalar_subquery()
    db.session.execute(
        delete(path).where(path.descendant_id.in_(inside), path.ancestor_id.not_in(inside))
    )
    if parent_id is None:
        return
    db.session.execute(
        insert(path).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            # Every path above the parent beside every path below the moved one.
            select(above.ancestor_id, under.descendant_id, above.depth + under.depth + 1)
            .join_from(above, under, true())
            .where(above.descendant_id == parent_id, under.ancestor_id == org_id),
        )
    )


def paths_from_parents() -> Select:
    """Every (ancestor_id, descendant_id, depth) the parents imply: what the closure
    should hold, walked from the parents alone."""
    walk = select(
        Organisation.id.label("ancestor_id"),
        Organisation.id.label("descendant_id"),
        literal(0).label("depth"),
    ).cte("walk", recursive=True)
    walk = walk.union_all(
        select(walk.c.ancestor_id, Organisation.id, walk.c.depth + 1).where(
            Organisation.parent_id == walk.c.descendant_id
        )
    )
    return select(walk.c.ancestor_id, walk.c.descendant_id, walk.c.depth)


def rebuild_paths() -> None:
    """Write the closure again from the parents (after a bulk load that wrote only those)."""
    db.session.execute(delete(OrganisationPath))
    db.session.execute(
        insert(OrganisationPath).from_select(
            ["ancestor_id", "descendant_id", "depth"], paths_from_parents()
        )
    )


def subtree(root_id: int | ColumnElement[int], name: str | None = None) -> Subquery:
    """The organisation and everything below it: a subquery whose `id` column a query
    selects from. `root_id` is a value or a bind parameter; give a `name` when one query
    holds two subtrees."""
    return (
        select(OrganisationPath.descendant_id.label("id"))
        .where(OrganisationPath.ancestor_id == root_id)
        .subquery(name)
    )


def subtree_ids(root_id: int) -> set[int]:
    """The ids of `subtree(root_id)`, in one query."""
    return set(db.session.scalars(select(subtree(root_id).c.id)))


def ancestors(organisation_id: int) -> Subquery:
    """The organisation and every organisation above it (whose subtree holds it): a
    subquery with an `id` column."""
    return (
        select(OrganisationPath.ancestor_id.label("id"))
        .where(OrganisationPath.descendant_id == organisation_id)
        .subquery()
    )


def organisations_in_scope(user: User) -> list[Organisation]:
    """What a lead may see: their organisation's subtree (admins see every one)."""
    query = select(Organisation).order_by(Organisation.name)
    if not user.has_role("admin"):
        if user.organisation_id is None:
            return []
        query = query.where(Organisation.id.in_(subtree_ids(user.organisation_id)))
    return list(db.session.scalars(query))


def create_cohort(
    name: str,
    organisation: Organisation,
    *,
    framework_id: int | None = None,
    starts_on=None,
    actor: User | None = None,
) -> Cohort:
    name = name.strip()
    if not name:
        raise DomainError("Enter the cohort's name", "name")
    exists = db.session.scalar(
        select(Cohort.id).where(Cohort.organisation_id == organisation.id, Cohort.name == name)
    )
    if exists:
        raise DomainError(f"{organisation.name} already has a cohort called {name!r}", "name")
    cohort = Cohort(
        name=name, organisation=organisation, framework_id=framework_id, starts_on=starts_on
    )
    db.session.add(cohort)
    db.session.flush()
    audit.record(
        "cohort.created",
        "cohort",
        cohort.id,
        actor=actor,
        data={"organisation_id": organisation.id},
    )
    return cohort


def organisation_scope(user: User) -> set[int] | None:
    """The organisation ids a user may act within: None for admins (everywhere)."""
    if user.has_role("admin"):
        return None
    if user.organisation_id is None:
        return set()
    return subtree_ids(user.organisation_id)


def organisation_tree() -> list[tuple[Organisation, int]]:
    """Every organisation with its depth, parents before children, siblings by name."""
    everyone = db.session.scalars(
        select(Organisation).order_by(Organisation.name, Organisation.id)
    ).all()
    children: dict[int | None, list[Organisation]] = defaultdict(list)
    for org in everyone:
        children[org.parent_id].append(org)
    ordered: list[tuple[Organisation, int]] = []
    stack = [(org, 0) for org in reversed(children[None])]
    while stack:
        org, depth = stack.pop()
        ordered.append((org, depth))
        stack.extend((child, depth + 1) for child in reversed(children[org.id]))
    return ordered


def normalise_ods_code(raw: str | None) -> str | None:
    """ODS codes are 3 to 10 letters and digits (practices look like A12345); blank is none."""
    code = re.sub(r"\s+", "", raw or "").upper()
    if not code:
        return None
    if not re.fullmatch(r"[A-Z0-9]{3,10}", code):
        raise DomainError("An ODS code is 3 to 10 letters and numbers, like A12345", "ods_code")
    return code


def update_organisation_details(
    org: Organisation,
    *,
    name: str,
    kind: str,
    parent: Organisation | None,
    ods_code: str | None,
    actor: User,
) -> None:
    """`update_organisation` plus the ODS code, audited as one change."""
    if not name.strip():
        raise DomainError("Enter the organisation's name", "name")
    code = normalise_ods_code(ods_code)
    update_organisation(org, name=name, kind=kind, parent=parent, actor=actor)
    org.ods_code = code
    db.session.flush()


def cohort_listing(
    organisation_ids: set[int] | None = None,
) -> list[tuple[Cohort, Framework | None]]:
    """Cohorts with their organisation and framework, within `organisation_ids` (None: all)."""
    query = (
        select(Cohort, Framework)
        .join(Cohort.organisation)
        .outerjoin(Framework, Framework.id == Cohort.framework_id)
        .options(contains_eager(Cohort.organisation))
        .order_by(Organisation.name, Cohort.name)
    )
    if organisation_ids is not None:
        query = query.where(Cohort.organisation_id.in_(organisation_ids))
    return [(cohort, framework) for cohort, framework in db.session.execute(query)]
