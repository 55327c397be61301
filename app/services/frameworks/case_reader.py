"""Reading a CASE 1.1 package (CFPackage JSON) into a `competency-framework/v1` document.

Pure: no Flask, no database. The package's shape is checked here, every problem named
by the JSON pointer of the value at fault; the document it becomes is then checked by
the framework validator like any file (case_import), so each framework rule lives in
one place. How CASE maps onto the framework format, and the defaults for what a package
from elsewhere does not say, are documented in docs/framework-format.md ("CASE 1.1").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from app.services.frameworks import case_identifiers as ids
from app.services.frameworks.case_export import COMPETENCY_TYPE, DOMAIN_TYPE, EXTENSION
from app.services.frameworks.case_json import (
    MAX_DEPTH,
    PackageReader,
    Refused,
    json_kind,
    parse_json,
    too_deep,
)
from app.services.frameworks.framework_spec import FORMAT, MAX_ID, MAX_TITLE
from app.services.frameworks.located_yaml import Loc, located
from app.services.frameworks.yaml_nodes import Problem

# What a package from elsewhere gets for what only the framework format says.
DEFAULT_VERSION = "1"
DEFAULTS = {
    "scale": [
        {"id": "not-yet", "label": "Not yet competent", "proficient": False},
        {"id": "competent", "label": "Competent", "proficient": True},
    ],
    "evidence_types": [
        {"id": "reflective-account", "label": "Reflective account", "observed": False},
        {
            "id": "work-based-observation",
            "label": "Work-based observation of practice",
            "observed": True,
        },
    ],
    "sign_off": {"min_evidence": 2, "min_types": 2, "require_observed": True},
}
DOCUMENT_EXTENSION_KEYS = (
    "id",
    "follows",
    "scale",
    "evidence_types",
    "sign_off",
    "standards",
    "msf",
)
COMPETENCY_EXTENSION_KEYS = ("indicators", "standards", "sign_off", "observations")
PACKAGE_KEYS = (
    "CFDocument",
    "CFItems",
    "CFAssociations",
    "CFDefinitions",
    "CFRubrics",
    "extensions",
)
_PLACE = "every item needs its place in the tree"
_LEVELS = "a framework has two levels, domains and their competencies"
# Associations to the version followed that make the crosswalk (case_export says how).
CROSSWALK_TYPES = ("replacedBy", "exactMatchOf", "isPartOf")


@dataclass
class OutsideLink:
    """A crosswalk association between a competency of the package and an item outside it
    (a competency of the version followed), which only the database can name."""

    association_type: str
    competency: str  # the package's competency code
    outside: str  # the outside item's identifier
    at: str  # the association's pointer
    identifier: str


@dataclass
class PackageDraft:
    """What the package says: the framework document (crosswalk still to be resolved),
    the identifiers of the objects it holds by key, and its links outside."""

    document: dict[str, Loc]
    domains: list[Loc]
    competencies: dict[str, dict[str, Loc]]  # code -> the competency's mapping
    identifiers: dict[str, str] = field(default_factory=dict)
    outside: list[OutsideLink] = field(default_factory=list)
    follows: Loc | None = None
    # The crosswalk names a version not imported yet: resolved when the package is imported.
    pending: bool = False

    @property
    def framework_id(self) -> str:
        return self.document["id"].value


def read_package(raw: bytes) -> tuple[list[Problem], PackageDraft | None]:
    """The package's problems, or its draft when it has none."""
    reader = PackageReader()
    try:
        package = parse_json(raw)
    except Refused as refused:
        return [Problem(None, str(refused))], None
    except json.JSONDecodeError as exc:
        return [Problem(exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")], None
    if not isinstance(package, dict):
        return [
            Problem(None, f"/: a CASE package is a JSON object, not {json_kind(package)}")
        ], None
    if deep := too_deep(package, ""):
        return [Problem(None, f"{deep}: nested more than {MAX_DEPTH} levels deep")], None
    draft = _Package(reader, package).draft()
    return reader.problems, (draft if not reader.problems else None)


class _Package:
    """One package being read."""

    def __init__(self, reader: PackageReader, package: dict) -> None:
        self.r = reader
        self.package = package
        self.seen: dict[str, str] = {}  # identifier -> pointer of its first use
        self.items: dict[str, tuple[int, dict]] = {}  # identifier -> (index, item)
        self.codes: dict[str, str] = {}  # a competency's identifier -> its code
        self.doc_id: str | None = None
        self.follows: Loc | None = None

    def draft(self) -> PackageDraft | None:
        for key in self.package:
            if key not in PACKAGE_KEYS:
                self.r.add(
                    f"/{key}", f"unknown key '{key}': a CFPackage holds {', '.join(PACKAGE_KEYS)}"
                )
        doc = self.r.obj(self.package, "CFDocument", "")
        items = self.r.array(self.package, "CFItems", "")
        associations = self.r.array(self.package, "CFAssociations", "")
        if doc is None:
            return None
        document = self._document(doc)
        for i, item in enumerate(items):
            self._item(i, item)
        parents, crosswalk = self._associations(associations)
        draft = self._tree(document, items, parents)
        if draft is not None:
            self._crosswalk(draft, crosswalk)
        return draft

    def _unique(self, identifier: str | None, at: str) -> str | None:
        if identifier is None:
            return None
        if identifier in self.seen:
            self.r.add(
                f"{at}/identifier",
                f"identifier {identifier} is already used by {self.seen[identifier]}",
            )
            return None
        self.seen[identifier] = at
        return identifier

    def _document(self, doc: dict) -> dict[str, Loc]:
        at = "/CFDocument"
        self.doc_id = self._unique(self.r.identifier(doc, at), at)
        self.r.common(doc, at)
        self.r.text(doc, "creator", at, required=True)
        title = self.r.text(doc, "title", at, required=True)
        extension = self._extension(doc, at, DOCUMENT_EXTENSION_KEYS)
        document = {"format": Loc(FORMAT, at)}
        document["id"] = extension.pop("id", None) or Loc(_slug(title or ""), f"{at}/title")
        version = doc.get("version", DEFAULT_VERSION)
        document["version"] = Loc(version, f"{at}/version" if "version" in doc else at)
        document["title"] = Loc(title, f"{at}/title")
        for key, case_key in (
            ("publisher", "publisher"),
            ("source_url", "officialSourceURL"),
            ("description", "description"),
        ):
            if doc.get(case_key) is not None:
                document[key] = Loc(doc[case_key], f"{at}/{case_key}")
        adopted = doc.get("adoptionStatus") == "Adopted"
        document["status"] = Loc("published" if adopted else "provisional", f"{at}/adoptionStatus")
        self.follows = extension.pop("follows", None)
        for key in ("scale", "evidence_types", "sign_off"):
            document[key] = extension.pop(key, None) or located(DEFAULTS[key], at)
        document.update(extension)  # standards, msf: as the extension gives them
        return document

    def _extension(self, obj: dict, at: str, allowed: tuple[str, ...]) -> dict[str, Loc]:
        """The object's `competency-framework/v1` extension, each key checked."""
        extensions = self.r.obj(obj, "extensions", at, required=False) or {}
        ours = self.r.obj(extensions, EXTENSION, f"{at}/extensions", required=False) or {}
        here = f"{at}/extensions/{EXTENSION.replace('/', '~1')}"
        for key in ours:
            if key not in allowed:
                known = ", ".join(allowed) or "no keys"
                self.r.add(
                    f"{here}/{key}", f"unknown key '{key}' in the extension: it holds {known}"
                )
        return {k: located(v, f"{here}/{k}") for k, v in ours.items() if k in allowed}

    def _item(self, i: int, item) -> None:
        at = f"/CFItems/{i}"
        if not isinstance(item, dict):
            self.r.add(at, f"a CFItem must be an object, not {json_kind(item)}")
            return
        identifier = self._unique(self.r.identifier(item, at), at)
        self.r.common(item, at)
        self.r.text(item, "fullStatement", at, required=True)
        for key in ("humanCodingScheme", "abbreviatedStatement", "CFItemType"):
            self.r.text(item, key, at)
        if identifier is not None:
            self.items[identifier] = (i, item)

    def _associations(self, associations: list):
        """Each item's parent (`isChildOf`) and the crosswalk associations, checked."""
        parents: dict[str, list[tuple[int, str, str]]] = {}  # child -> [(seq, parent, at)]
        crosswalk = []
        for i, association in enumerate(associations):
            at = f"/CFAssociations/{i}"
            if not isinstance(association, dict):
                self.r.add(at, f"a CFAssociation must be an object, not {json_kind(association)}")
                continue
            identifier = self._unique(self.r.identifier(association, at), at)
            self.r.common(association, at)
            kind = self.r.text(association, "associationType", at, required=True)
            origin = self.r.link(association, "originNodeURI", at)
            destination = self.r.link(association, "destinationNodeURI", at)
            sequence = association.get("sequenceNumber", i)
            if type(sequence) is not int:
                self.r.add(
                    f"{at}/sequenceNumber",
                    f"'sequenceNumber' must be a whole number, not {json_kind(sequence)}",
                )
                continue
            if None in (identifier, kind, origin, destination):
                continue
            if kind == "isChildOf":
                self._child_of(origin, destination, at, sequence, identifier, parents)
            elif kind in CROSSWALK_TYPES:
                crosswalk.append((kind, origin, destination, at, identifier))
        return parents, crosswalk

    def _child_of(self, origin, destination, at, sequence, identifier, parents) -> None:
        if origin not in self.items:
            self.r.add(
                f"{at}/originNodeURI/identifier",
                f"isChildOf from {origin}, which is not a CFItem of this package",
            )
        elif destination != self.doc_id and destination not in self.items:
            self.r.add(
                f"{at}/destinationNodeURI/identifier",
                f"isChildOf to {destination}, which is neither the CFDocument nor a CFItem "
                "of this package",
            )
        else:
            parents.setdefault(origin, []).append((sequence, destination, at, identifier))

    def _tree(self, document: dict[str, Loc], items: list, parents) -> PackageDraft | None:
        """Domains (children of the document) and their competencies (children of a domain),
        each in the order of its `sequenceNumber` (else of its association)."""
        for child, found in parents.items():
            if len(found) > 1:
                second = found[1][2]
                self.r.add(second, f"CFItem {child} has a second parent: an item has one")
        for identifier, (i, _) in self.items.items():
            if identifier not in parents:
                self.r.add(f"/CFItems/{i}", f"this CFItem has no isChildOf association: {_PLACE}")
        if self.r.problems:
            return None
        children: dict[str, list] = {}
        for child, [(sequence, parent, at, link_id)] in parents.items():
            place = (sequence, self.items[child][0], child, link_id, at)
            children.setdefault(parent, []).append(place)
        draft = PackageDraft(document, [], {}, identifiers={ids.DOCUMENT: self.doc_id})
        draft.follows = self.follows
        for d, (_, index, domain_id, link_id, _) in enumerate(
            sorted(children.get(self.doc_id, []))
        ):
            domain = self._domain(draft, d, index, domain_id, link_id)
            below = sorted(children.get(domain_id, []))
            for c, (_, c_index, c_id, c_link, _) in enumerate(below):
                self._competency(draft, domain, d, c, c_index, c_id, c_link)
                for *_, at in children.get(c_id, []):
                    self.r.add(at, f"this item is the child of a competency: {_LEVELS}")
        document["domains"] = Loc(draft.domains, "/CFItems")
        return draft if not self.r.problems else None

    def _domain(
        self, draft: PackageDraft, d: int, index: int, identifier: str, link_id: str
    ) -> Loc:
        at = f"/CFItems/{index}"
        item = self.items[identifier][1]
        code = item.get("humanCodingScheme") or str(d + 1)
        self._type(item, at, DOMAIN_TYPE)
        self._extension(item, at, ())
        domain = {"id": Loc(code, f"{at}/humanCodingScheme")}
        domain.update(_statements(item, at, description_required=False))
        domain["competencies"] = Loc([], at)
        draft.domains.append(Loc(domain, at))
        draft.identifiers[ids.domain_key(code)] = identifier
        draft.identifiers[ids.child_of_key(ids.domain_key(code))] = link_id
        return draft.domains[-1]

    def _competency(
        self, draft, domain: Loc, d: int, c: int, index: int, identifier: str, link_id: str
    ) -> None:
        at = f"/CFItems/{index}"
        item = self.items[identifier][1]
        code = item.get("humanCodingScheme") or f"{d + 1}.{c + 1}"
        self._type(item, at, COMPETENCY_TYPE)
        competency = {"id": Loc(code, f"{at}/humanCodingScheme")}
        competency.update(_statements(item, at, description_required=True))
        competency.update(self._extension(item, at, COMPETENCY_EXTENSION_KEYS))
        domain.value["competencies"].value.append(Loc(competency, at))
        draft.competencies.setdefault(code, competency)
        self.codes[identifier] = code
        draft.identifiers[ids.competency_key(code)] = identifier
        draft.identifiers[ids.child_of_key(ids.competency_key(code))] = link_id

    def _type(self, item: dict, at: str, expected: str) -> None:
        given = item.get("CFItemType")
        if isinstance(given, str) and given in (DOMAIN_TYPE, COMPETENCY_TYPE) and given != expected:
            self.r.add(
                f"{at}/CFItemType",
                f"a {given} cannot stand here in the tree: its place makes it a {expected}",
            )

    def _crosswalk(self, draft: PackageDraft, crosswalk: list) -> None:
        """Associations between a competency of the package and an item outside it."""
        codes = self.codes
        for kind, origin, destination, at, identifier in crosswalk:
            inside = [end for end in (origin, destination) if end in codes]
            outside = [end for end in (origin, destination) if end not in self.seen]
            if len(inside) != 1 or len(outside) != 1:
                continue  # within the package, or not about a competency: not a crosswalk
            new_is_origin = inside[0] == origin
            # replacedBy runs old -> new; isPartOf new -> old; exactMatchOf either way.
            if (kind == "replacedBy" and new_is_origin) or (
                kind == "isPartOf" and not new_is_origin
            ):
                continue
            draft.outside.append(OutsideLink(kind, codes[inside[0]], outside[0], at, identifier))


def _statements(item: dict, at: str, *, description_required: bool) -> dict[str, Loc]:
    """Title and description from the item's statements: the abbreviated statement is
    the title and the full one the description; with the full statement alone, that is
    the title (its first line, shortened to fit) and, for a competency, the description."""
    full, short = item.get("fullStatement"), item.get("abbreviatedStatement")
    if short is not None:
        return {
            "title": Loc(short, f"{at}/abbreviatedStatement"),
            "description": Loc(full, f"{at}/fullStatement"),
        }
    statements = {"title": Loc(_title_from(full), f"{at}/fullStatement")}
    if description_required:
        statements["description"] = Loc(full, f"{at}/fullStatement")
    return statements


def _title_from(statement: str) -> str:
    first = statement.strip().splitlines()[0].strip() if statement.strip() else statement
    return first if len(first) <= MAX_TITLE else first[: MAX_TITLE - 1].rstrip() + "\u2026"


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:MAX_ID].strip("-")
    return slug or "framework"
