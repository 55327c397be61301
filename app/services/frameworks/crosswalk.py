"""The crosswalk between a framework version and the version it follows, checked against
what is imported and stored with the new version.

A file's own checks (`crosswalk_reader`) cannot know the previous version's ids; these
can: the version followed must be imported, every id a competency claims must exist in
it, and following it must not lead back to this version. Problems carry the line of the
file they concern, like every validation problem. Stored, the crosswalk says for each
old competency what became of it: `replaces` (continues, reworded), `merges` (one of
several that became one), `splits_from` (became several); an old competency no new one
points to has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select

from app.extensions import db
from app.models.crosswalk import CompetencyCrosswalk, FrameworkSuccession
from app.models.frameworks import Competency, Framework
from app.services.frameworks.framework_spec import FrameworkSpec
from app.services.frameworks.yaml_nodes import Problem

_R = TypeVar("_R")


class CrosswalkRefused(Exception):
    """The crosswalk does not fit what is imported; `problems` say where, by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _previous(spec: FrameworkSpec) -> Framework | None:
    return db.session.scalar(
        select(Framework).where(Framework.code == spec.id, Framework.version == spec.follows)
    )


def crosswalk_problems(spec: FrameworkSpec) -> list[Problem]:
    """What is wrong with the spec's crosswalk given the versions imported; [] when none."""
    if spec.follows is None:
        return []
    previous = _previous(spec)
    if previous is None:
        return [
            Problem(
                spec.follows_line,
                f"'follows: \"{spec.follows}\"' is a crosswalk to a version not imported: "
                f"import {spec.id} version {spec.follows} first, then this file",
            )
        ]
    problems = _cycle(spec, previous)
    known = set(
        db.session.scalars(select(Competency.code).where(Competency.framework_id == previous.id))
    )
    for claim in spec.crosswalk:
        for old in claim.old_ids:
            if old not in known:
                problems.append(
                    Problem(
                        claim.line,
                        f"competency '{claim.competency}' {_verb(claim.kind)} '{old}', "
                        f"which is not a competency of {spec.id} version {spec.follows}",
                    )
                )
    return problems


def _verb(kind: str) -> str:
    return {"replaces": "replaces", "merges": "merges", "splits_from": "splits from"}[kind]


def _cycle(spec: FrameworkSpec, previous: Framework) -> list[Problem]:
    """Following `follows` back from the previous version must never reach this one."""
    seen = {previous.id}
    chain = [previous.version]
    current: Framework | None = previous
    while current is not None:
        succession = db.session.get(FrameworkSuccession, current.id)
        if succession is None:
            return []
        current = succession.follows
        if current.version == spec.version or current.id in seen:
            path = " -> ".join([spec.version, *chain, current.version])
            return [
                Problem(
                    spec.follows_line,
                    f"'follows' makes a cycle of versions ({path}): a version cannot follow "
                    "one that follows it",
                )
            ]
        seen.add(current.id)
        chain.append(current.version)
    return []  # pragma: no cover - the loop returns


def refuse_bad_crosswalk(spec: FrameworkSpec) -> None:
    problems = crosswalk_problems(spec)
    if problems:
        raise CrosswalkRefused(problems)


def store_crosswalk(framework: Framework, spec: FrameworkSpec) -> None:
    """Record the version followed and each competency's claims (after the tree is flushed)."""
    if spec.follows is None:
        return
    previous = _previous(spec)
    if previous is None:  # checked before import; nothing to link to
        return
    db.session.add(FrameworkSuccession(framework_id=framework.id, follows_id=previous.id))
    new_ids = dict(
        db.session.execute(
            select(Competency.code, Competency.id).where(Competency.framework_id == framework.id)
        ).all()
    )
    old_ids = dict(
        db.session.execute(
            select(Competency.code, Competency.id).where(Competency.framework_id == previous.id)
        ).all()
    )
    for claim in spec.crosswalk:
        for old in claim.old_ids:
            db.session.add(
                CompetencyCrosswalk(
                    competency_id=new_ids[claim.competency],
                    kind=claim.kind,
                    old_competency_id=old_ids[old],
                )
            )
    db.session.flush()


def follows_of(framework_id: int) -> Framework | None:
    """The version this one follows, if it names one."""
    succession = db.session.get(FrameworkSuccession, framework_id)
    return succession.follows if succession is not None else None


def in_follow_order(items: Sequence[tuple[str, _R]], spec_of) -> list[tuple[str, _R]]:
    """Files ordered so that a version comes after the version it follows when both are
    given together (otherwise their order is kept)."""
    pending = list(items)
    ordered: list[tuple[str, _R]] = []
    while pending:
        given = {(spec_of(r).id, spec_of(r).version) for _, r in pending}
        ready = [
            (p, r) for p, r in pending if (spec_of(r).id, spec_of(r).follows) not in given
        ] or pending[:1]
        ordered.extend(ready)
        pending = [item for item in pending if item not in ready]
    return ordered
