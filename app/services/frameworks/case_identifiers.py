"""The CASE 1.1 identifiers of a framework version's objects.

Every object a CASE package holds (the CFDocument, a CFItem for each domain and each
competency, a CFAssociation for each link) has a UUID that must not change when the
package is exported again. An object is named within its version by a key
(`document`, `domain/D1`, `competency/D1.1`, `isChildOf/competency/D1.1`,
`replacedBy/D1.1/D1.1`); its identifier is the one a CASE package gave it when the
version was imported from one (kept in `case_identifiers`), otherwise a name-based UUID
(uuid5) of the framework id, version and key, the same in every database and on every
re-import. Documented in docs/framework-format.md ("CASE 1.1").
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from sqlalchemy import select

from app.extensions import db
from app.models.case_identifiers import CaseIdentifier
from app.models.frameworks import Framework

# Fixed for ever: changing it would change every derived identifier. It is
# uuid5(NAMESPACE_URL, "https://pcpt-portfolio.invalid/case-1.1").
NAMESPACE = uuid.UUID("5abadc4d-4e9d-5802-8a76-ab076c77a93f")
# The CASE 1.1 binding's pattern for identifiers (lowercase, RFC 4122 variant).
IDENTIFIER_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

DOCUMENT = "document"


def domain_key(code: str) -> str:
    return f"domain/{code}"


def competency_key(code: str) -> str:
    return f"competency/{code}"


def child_of_key(item_key: str) -> str:
    """The `isChildOf` association from an item to its parent (each item has one)."""
    return f"isChildOf/{item_key}"


def crosswalk_key(association_type: str, origin_code: str, destination_code: str) -> str:
    """A crosswalk association between competency codes of this version and the one it
    follows (origin first, as the association reads)."""
    return f"{association_type}/{origin_code}/{destination_code}"


def derived(code: str, version: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{code}@{version}/{key}"))


class Identifiers:
    """A version's identifiers: the kept ones, else the derived ones."""

    def __init__(self, code: str, version: str, kept: Mapping[str, str]) -> None:
        self.code, self.version, self.kept = code, version, kept

    def __getitem__(self, key: str) -> str:
        return self.kept.get(key) or derived(self.code, self.version, key)


def identifiers_of(framework_id: int, code: str, version: str) -> Identifiers:
    kept = dict(
        db.session.execute(
            select(CaseIdentifier.key, CaseIdentifier.identifier).where(
                CaseIdentifier.framework_id == framework_id
            )
        ).all()
    )
    return Identifiers(code, version, kept)


def keep_identifiers(framework_id: int, identifiers: Mapping[str, str]) -> None:
    """Record a package's identifiers for a version just imported from it."""
    db.session.add_all(
        CaseIdentifier(framework_id=framework_id, key=key, identifier=value)
        for key, value in identifiers.items()
    )
    db.session.flush()


def identifiers_in_use(identifiers: list[str]) -> dict[str, str]:
    """Which of these identifiers a version already keeps: identifier -> 'ID version V'."""
    found: dict[str, str] = {}
    for start in range(0, len(identifiers), 500):
        rows = db.session.execute(
            select(CaseIdentifier.identifier, Framework.code, Framework.version)
            .join(Framework, Framework.id == CaseIdentifier.framework_id)
            .where(CaseIdentifier.identifier.in_(identifiers[start : start + 500]))
        )
        found.update({i: f"{code} version {version}" for i, code, version in rows})
    return found
