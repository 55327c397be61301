"""How a framework version is named to a signer or a reader outside the product.

A provisional version's competencies are working drafts, not the publisher's wording, so
its name always carries that in words: on sign-off declarations, completion statements,
PDFs, the portable record, the exports and the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol

from sqlalchemy import select

from app.extensions import db
from app.models.frameworks import Framework

PROVISIONAL_WORDING = "provisional draft: not the official wording"


class NamedFramework(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def status(self) -> str: ...


class FrameworkName(NamedTuple):
    """The three columns a label needs, for a query that selects them beside others."""

    title: str
    version: str
    status: str


def is_provisional(framework: NamedFramework) -> bool:
    return framework.status == "provisional"


def framework_label(framework: NamedFramework) -> str:
    """'Title (version 3)', or 'Title (version 3, provisional draft: not the official
    wording)' while the version is provisional."""
    if is_provisional(framework):
        return f"{framework.title} (version {framework.version}, {PROVISIONAL_WORDING})"
    return f"{framework.title} (version {framework.version})"


def framework_labels(framework_ids: Iterable[int]) -> dict[int, str]:
    """Each framework version's label by id, in one query."""
    ids = set(framework_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Framework.id, Framework.title, Framework.version, Framework.status).where(
            Framework.id.in_(ids)
        )
    )
    return {row.id: framework_label(row) for row in rows}


class LabelsById:
    """Labels looked up as rows stream past: one query the first time a version is seen."""

    def __init__(self) -> None:
        self._known: dict[int, str] = {}

    def __call__(self, framework_id: int) -> str:
        if framework_id not in self._known:
            self._known.update(framework_labels([framework_id]))
        return self._known.get(framework_id, "")
