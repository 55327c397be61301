"""Importing a CASE 1.1 package, and reading a framework file of either kind.

A package (case_reader) becomes a `competency-framework/v1` document whose crosswalk
is resolved here against the versions imported: an association to an item outside the
package names a competency of the version it follows, by that competency's CASE
identifier. The document is then checked by the framework validator, each problem
reported at the JSON pointer of the package value it came from, and imported like a
YAML file. The version keeps the package's identifiers, so exporting it gives them back.
Re-importing a package of a version already imported with the same framework and the
same identifiers (the same file, or the export of a YAML import) changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from os import PathLike

from sqlalchemy import select

from app.extensions import db
from app.models.case_identifiers import CaseIdentifier
from app.models.frameworks import Competency, Framework
from app.models.users import User
from app.services.frameworks import case_identifiers as ids
from app.services.frameworks.case_export import case_package
from app.services.frameworks.case_reader import OutsideLink, PackageDraft, read_package
from app.services.frameworks.catalogue import (
    ImportConflict,
    ImportOutcome,
    find_framework,
    import_framework,
)
from app.services.frameworks.crosswalk import CrosswalkRefused
from app.services.frameworks.framework_checker import FrameworkChecker
from app.services.frameworks.framework_spec import FrameworkSpec
from app.services.frameworks.located_yaml import Loc, to_yaml
from app.services.frameworks.validation import (
    MAX_FRAMEWORK_BYTES,
    MAX_PROBLEMS,
    ValidationResult,
    validate_framework_bytes,
    validate_framework_file,
)
from app.services.frameworks.yaml_nodes import Problem, load_node


@dataclass
class CaseReading(ValidationResult):
    """A CASE package read: as a validation result, with the package's identifiers by
    key and, for each line of the document it became, the JSON pointer it came from."""

    identifiers: dict[str, str] = field(default_factory=dict)
    where: list[str] = field(default_factory=list)
    raw: bytes = b""
    # Its crosswalk names a version not imported when it was read (one being imported
    # with it): read again when it is imported.
    pending: bool = False

    def locate(self, problems: list[Problem]) -> list[Problem]:
        """Problems found by line in the document, at their places in the package."""
        return [
            Problem(None, f"{self.where[p.line - 1]}: {p.message}")
            if p.line is not None and 0 < p.line <= len(self.where)
            else p
            for p in problems
        ]


def read_case_bytes(raw: bytes) -> CaseReading:
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_FRAMEWORK_BYTES:
        return CaseReading(validate_framework_bytes(raw).problems, None, digest)  # too large
    problems, draft = read_package(raw)
    if draft is None:
        return CaseReading(problems[:MAX_PROBLEMS], None, digest)
    problems = _resolve_crosswalk(draft)
    if problems:
        return CaseReading(problems[:MAX_PROBLEMS], None, digest)
    text, where = to_yaml(Loc(draft.document, "/CFDocument"))
    reading = CaseReading([], None, digest, draft.identifiers, where, raw, draft.pending)
    root, problems = load_node(text)
    checker = FrameworkChecker()
    spec = checker.framework(root) if root is not None else None
    problems = sorted(problems + checker.problems, key=lambda p: p.line or 0)
    reading.problems = reading.locate(problems)[:MAX_PROBLEMS]
    reading.spec = spec if not reading.problems else None
    return reading


def read_framework_file(path: str | PathLike[str]) -> ValidationResult:
    """A framework file read and checked: a CASE package when it is named `.json` or
    holds a JSON object with a CFDocument, otherwise the YAML format."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FRAMEWORK_BYTES + 1)
    except (OSError, ValueError):
        return validate_framework_file(path)  # which says why it cannot be read
    if len(raw) <= MAX_FRAMEWORK_BYTES and (
        str(path).lower().endswith(".json") or _looks_like_case(raw)
    ):
        return read_case_bytes(raw)
    return validate_framework_file(path)


def _looks_like_case(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and b'"CFDocument"' in raw


def located_problems(result: ValidationResult, problems: list[Problem]) -> list[Problem]:
    """Problems found in the result's framework, where its file has them."""
    return result.locate(problems) if isinstance(result, CaseReading) else problems


def import_reading(
    result: ValidationResult, *, actor: User | None = None
) -> tuple[ImportOutcome, Framework]:
    """Import a checked file of either kind (CrosswalkRefused, ImportConflict)."""
    if isinstance(result, CaseReading):
        return import_case(result, actor=actor)
    return import_framework(result.spec, result.sha256, actor=actor)


def import_case(
    reading: CaseReading, *, actor: User | None = None
) -> tuple[ImportOutcome, Framework]:
    if reading.pending:
        reading = read_case_bytes(reading.raw)
        if reading.spec is None:
            raise CrosswalkRefused(reading.problems)
    spec = reading.spec
    existing = find_framework(spec.id, spec.version)
    if existing is not None and existing.sha256 != reading.sha256 and _same(existing, reading):
        return ImportOutcome.UNCHANGED, existing
    if existing is None:
        _refuse_identifiers_in_use(reading)
    try:
        outcome, framework = import_framework(spec, reading.sha256, actor=actor)
    except CrosswalkRefused as refused:
        raise CrosswalkRefused(reading.locate(refused.problems)) from None
    if outcome is ImportOutcome.IMPORTED:
        ids.keep_identifiers(framework.id, reading.identifiers)
    return outcome, framework


def comparable(spec: FrameworkSpec) -> FrameworkSpec:
    """The framework without the lines its file had (which differ between formats)."""
    return replace(
        spec, follows_line=None, crosswalk=tuple(replace(c, line=0) for c in spec.crosswalk)
    )


def _same(existing: Framework, reading: CaseReading) -> bool:
    again = read_case_bytes(json.dumps(case_package(existing.id, "http://localhost")).encode())
    return (
        again.spec is not None
        and comparable(again.spec) == comparable(reading.spec)
        and again.identifiers == reading.identifiers
    )


def _refuse_identifiers_in_use(reading: CaseReading) -> None:
    in_use = ids.identifiers_in_use(list(reading.identifiers.values()))
    if in_use:
        identifier = next(i for i in reading.identifiers.values() if i in in_use)
        owner = in_use[identifier]
        raise ImportConflict(
            f"identifier {identifier} of this package is already used by {owner}: a CASE "
            "identifier names one object, so give a new version new identifiers"
        )


# --- the crosswalk: items outside the package ------------------------------------------------


def _known_competencies(code: str) -> dict[str, tuple[str, str]]:
    """identifier -> (version, competency code), for every imported version of `code`."""
    rows = db.session.execute(
        select(Framework.id, Framework.version, Competency.code)
        .join(Competency, Competency.framework_id == Framework.id)
        .where(Framework.code == code)
    ).all()
    kept = {
        (framework_id, key): identifier
        for framework_id, key, identifier in db.session.execute(
            select(CaseIdentifier.framework_id, CaseIdentifier.key, CaseIdentifier.identifier)
            .join(Framework, Framework.id == CaseIdentifier.framework_id)
            .where(Framework.code == code)
        )
    }
    known = {}
    for framework_id, version, competency in rows:
        key = ids.competency_key(competency)
        identifier = kept.get((framework_id, key)) or ids.derived(code, version, key)
        known[identifier] = (version, competency)
    return known


def _resolve_crosswalk(draft: PackageDraft) -> list[Problem]:
    """Name the outside items as competencies of the version followed and write each
    competency's claim (`replaces`, `merges`, `splits_from`) into the document."""
    code = draft.framework_id
    if draft.follows is not None:
        draft.document["follows"] = draft.follows
    if not draft.outside or not isinstance(code, str):
        return []
    follows = draft.follows.value if draft.follows is not None else None
    known = _known_competencies(code)
    if follows is not None and follows not in {v for v, _ in known.values()}:
        draft.pending = True  # read again on import; refused there if still not imported
        return []
    problems, resolved = [], []
    for link in draft.outside:
        version, old = known.get(link.outside, (None, None))
        if version is None or (follows is not None and version != follows):
            which = f"version {follows}" if follows is not None else "any imported version"
            problems.append(
                Problem(
                    None,
                    f"{link.at}: {link.association_type} links competency '{link.competency}' "
                    f"to item {link.outside}, which is not a competency of {which} of "
                    f"{code}: import the version this package follows first",
                )
            )
        else:
            resolved.append((link, version, old))
    versions = sorted({version for _, version, _ in resolved})
    if len(versions) > 1 and not problems:
        problems.append(
            Problem(
                None,
                f"{resolved[0][0].at}: the crosswalk links competencies of "
                f"{len(versions)} versions of {code} ({', '.join(versions)}): a version "
                "follows one version",
            )
        )
    if problems:
        return problems
    if follows is None:
        draft.document["follows"] = Loc(versions[0], resolved[0][0].at)
    return _claims(draft, [(link, old) for link, _, old in resolved])


def _claims(draft: PackageDraft, resolved: list[tuple[OutsideLink, str]]) -> list[Problem]:
    """Each competency's claim from its associations: `isPartOf` an old item is a split
    (the `replacedBy` beside it says the same); otherwise one old item replaced or
    matched is `replaces`, several are `merges`."""
    problems = []
    by_competency: dict[str, list[tuple[OutsideLink, str]]] = {}
    for link, old in resolved:
        by_competency.setdefault(link.competency, []).append((link, old))
        origin, destination = (
            (old, link.competency)
            if link.association_type == "replacedBy"
            else (link.competency, old)
        )
        key = ids.crosswalk_key(link.association_type, origin, destination)
        draft.identifiers.setdefault(key, link.identifier)
    for code, links in by_competency.items():
        competency = draft.competencies[code]
        parts = [(link, old) for link, old in links if link.association_type == "isPartOf"]
        part_of = {old for _, old in parts}
        olds: dict[str, str] = {}  # old code -> pointer of its first association
        for link, old in links:
            if link.association_type != "isPartOf" and old not in part_of:
                olds.setdefault(old, link.at)
        if len(part_of) > 1:
            problems.append(
                Problem(
                    None,
                    f"{parts[1][0].at}: competency '{code}' is part of two competencies of the "
                    f"version followed ({parts[0][1]}, {parts[1][1]}): it splits from one",
                )
            )
        if parts:
            competency["splits_from"] = Loc(parts[0][1], parts[0][0].at)
        if len(olds) == 1:
            [(old, at)] = olds.items()
            competency["replaces"] = Loc(old, at)
        elif olds:
            first = next(iter(olds.values()))
            competency["merges"] = Loc([Loc(old, at) for old, at in olds.items()], first)
    return problems
