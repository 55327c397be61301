"""What a lead or administrator may choose from when moving trainees: the moves possible
(a version and the version that follows it), the cohorts in their scope, and where their
scope is rooted (a lead: their organisation's subtree; an administrator: everywhere)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.crosswalk import FrameworkSuccession
from app.models.frameworks import Framework
from app.models.organisations import Cohort
from app.models.users import User
from app.services.accounts.organisations import subtree_ids
from app.services.errors import NotFound


@dataclass(frozen=True)
class MoveChoice:
    value: str  # "ID@FROM>ID@TO"
    label: str
    source_ref: str
    target_ref: str


def scope_root(user: User) -> int | None:
    """None: anywhere (an administrator); else the lead's organisation. A lead without an
    organisation oversees no one."""
    if user.has_role("admin"):
        return None
    if user.organisation_id is None:
        raise NotFound("No trainees to move")
    return user.organisation_id


def move_choices() -> list[MoveChoice]:
    newer, older = aliased(Framework), aliased(Framework)
    rows = db.session.execute(
        select(older.code, older.version, newer.version, newer.title)
        .select_from(FrameworkSuccession)
        .join(newer, newer.id == FrameworkSuccession.framework_id)
        .join(older, older.id == FrameworkSuccession.follows_id)
        .order_by(older.code, newer.imported_at)
    )
    return [
        MoveChoice(
            f"{code}@{old}>{code}@{new}",
            f"{title}: version {old} to version {new}",
            f"{code}@{old}",
            f"{code}@{new}",
        )
        for code, old, new, title in rows
    ]


def cohort_choices(user: User) -> list[Cohort]:
    query = select(Cohort).order_by(Cohort.name, Cohort.id)
    root = scope_root(user)
    if root is not None:
        query = query.where(Cohort.organisation_id.in_(subtree_ids(root)))
    return list(db.session.scalars(query))
