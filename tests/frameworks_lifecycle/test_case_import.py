"""Importing CASE 1.1 packages: a YAML -> CASE -> import round trip gives the same
framework (tree, titles, descriptions, rules, crosswalk, identifiers), a package from
elsewhere keeps its identifiers and gets the documented defaults, re-imports change
nothing, and a bad package is refused with JSON pointers, importing nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.crosswalk import CompetencyCrosswalk
from app.models.frameworks import Competency, Framework
from app.services.audit.chain import verify_chain
from app.services.frameworks.case_export import case_package
from app.services.frameworks.case_import import comparable, read_case_bytes
from app.services.frameworks.catalogue import find_framework, load_framework_tree
from app.services.frameworks.validation import validate_framework_file
from tests.conftest import import_framework_file
from tests.frameworks_lifecycle.case_helpers import FOREIGN, NCF, NCF_31, base_url

NOTHING = "Error: nothing imported: fix the problems above first"
FOREIGN_PACKAGE = json.loads(FOREIGN.read_text())


def _export(version: str, path: Path) -> dict:
    package = case_package(find_framework("ncf-pcpt", version).id, base_url())
    path.write_text(json.dumps(package, indent=2), encoding="utf-8")
    return package


def _import(*paths: Path):
    return current_app.test_cli_runner().invoke(args=["frameworks", "import", *map(str, paths)])


def _tree(code: str, version: str) -> dict:
    """What a reader of the framework sees, and its crosswalk, from the database."""
    tree = load_framework_tree(find_framework(code, version).id)
    old = aliased(Competency)
    crosswalk = db.session.execute(
        select(Competency.code, CompetencyCrosswalk.kind, old.code)
        .join(Competency, Competency.id == CompetencyCrosswalk.competency_id)
        .join(old, old.id == CompetencyCrosswalk.old_competency_id)
        .where(Competency.framework_id == tree.id)
        .order_by(Competency.code, old.code)
    ).all()
    return {
        "document": (tree.title, tree.status, tree.publisher, tree.description, tree.sha256 != ""),
        "domains": [
            (
                d.code,
                d.title,
                d.description,
                [
                    (c.code, c.title, c.description, c.indicators, [s.code for s in c.standards])
                    for c in d.competencies
                ],
            )
            for d in tree.domains
        ],
        "rules": [
            (c.code, c.min_evidence, c.min_types, c.require_observed, c.observation_min_items)
            for d in tree.domains
            for c in d.competencies
        ],
        "crosswalk": [tuple(row) for row in crosswalk],
    }


def _without_times(package: dict) -> dict:
    """The package as a reader compares it: when each version was imported aside."""
    text = json.dumps(package)
    for changed in {o["lastChangeDateTime"] for o in _objects(package)}:
        text = text.replace(changed, "-")
    return json.loads(text)


def _objects(package: dict):
    yield package["CFDocument"]
    yield from package["CFItems"]
    yield from package["CFAssociations"]


def test_yaml_to_case_and_back_gives_the_same_framework(app, tmp_path, fresh_database):
    import_framework_file(NCF)
    import_framework_file(NCF_31)
    before = {v: _tree("ncf-pcpt", v) for v in ("3", "3.1")}
    exported = {v: _export(v, tmp_path / f"{v}.json") for v in ("3", "3.1")}

    def import_packages():
        # 3.1 named first: it is imported after the version it follows all the same.
        result = _import(tmp_path / "3.1.json", tmp_path / "3.json")
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [
            f"{tmp_path / '3.json'}: imported ncf-pcpt version 3",
            f"{tmp_path / '3.1.json'}: imported ncf-pcpt version 3.1",
        ]
        return (
            {v: _tree("ncf-pcpt", v) for v in ("3", "3.1")},
            {v: case_package(find_framework("ncf-pcpt", v).id, base_url()) for v in ("3", "3.1")},
        )

    after, again = fresh_database(import_packages)
    assert after == before
    assert len(after["3.1"]["crosswalk"]) == 20  # 16 replaces, 2 merged, 2 split parts
    # Every field, identifier and association comes back as it was exported.
    for version in ("3", "3.1"):
        assert _without_times(again[version]) == _without_times(exported[version])


@pytest.mark.parametrize("path", [NCF, NCF_31], ids=["ncf-3", "ncf-3.1"])
def test_the_package_reads_back_as_the_yaml_file_reads(app, path):
    import_framework_file(NCF)
    framework = import_framework_file(path) if path == NCF_31 else find_framework("ncf-pcpt")
    package = json.dumps(case_package(framework.id, base_url())).encode()
    reading = read_case_bytes(package)
    assert reading.problems == []
    # The whole parsed framework: scale, evidence types, every rule, msf, crosswalk.
    assert comparable(reading.spec) == comparable(validate_framework_file(path).spec)


def test_a_package_from_elsewhere_keeps_its_identifiers_and_gets_the_defaults(app):
    result = _import(FOREIGN)
    assert result.exit_code == 0, result.output
    assert result.output == f"{FOREIGN}: imported medicines-optimisation-skills version 2025\n"
    framework = load_framework_tree(find_framework("medicines-optimisation-skills", "2025").id)
    events = db.session.execute(select(AuditEvent.action, AuditEvent.subject_id)).all()
    assert events == [("framework.imported", str(framework.id))]  # one event, chained
    assert verify_chain().intact
    assert (framework.title, framework.status, framework.publisher) == (
        "Medicines Optimisation Skills",
        "published",  # adoptionStatus "Adopted"
        "Example Pharmacy Education Network",
    )
    assert [(s.code, s.proficient) for s in framework.scale] == [
        ("not-yet", False),
        ("competent", True),
    ]
    assert [(t.code, t.observed) for t in framework.evidence_types] == [
        ("reflective-account", False),
        ("work-based-observation", True),
    ]
    assert (framework.min_evidence, framework.min_types, framework.require_observed) == (
        2,
        2,
        True,
    )
    # Domains and competencies in sequenceNumber order, not the array's.
    assert [(d.code, d.title, d.description) for d in framework.domains] == [
        ("MO", "Reviewing medicines", None),
        ("SA", "Safety", None),
    ]
    statement = (
        "Supports a patient to use an inhaler correctly and checks their technique at follow-up."
    )
    assert [(c.code, c.title, c.description) for c in framework.domains[0].competencies] == [
        (
            "MO.1",
            "Medicines reconciliation",
            "Reconciles a patient's medicines at transfer of care, resolving discrepancies "
            "with the prescriber.",
        ),
        ("MO.2", statement, statement),
    ]
    package = json.loads(FOREIGN.read_text())
    exported = case_package(framework.id, base_url())
    identifiers = {o["identifier"] for o in _objects(exported)}
    kept = {o["identifier"] for o in _objects(package) if o.get("associationType") != "isRelatedTo"}
    assert identifiers == kept
    assert exported["CFDocument"]["identifier"] == package["CFDocument"]["identifier"]


def test_importing_the_same_package_again_changes_nothing(app):
    assert _import(FOREIGN).exit_code == 0
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again = _import(FOREIGN)
    assert again.exit_code == 0
    assert again.output == (
        f"{FOREIGN}: medicines-optimisation-skills version 2025 already imported with identical "
        "content; nothing to do\n"
    )
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_the_package_of_a_version_imported_from_yaml_imports_as_unchanged(app, tmp_path):
    import_framework_file(NCF)
    _export("3", tmp_path / "3.json")
    result = _import(tmp_path / "3.json")
    assert result.exit_code == 0, result.output
    assert "already imported with identical content; nothing to do" in result.output
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 1


def test_the_same_id_and_version_with_other_content_is_refused(app, tmp_path):
    import_framework_file(NCF)
    package = _export("3", tmp_path / "3.json")
    package["CFItems"][1]["abbreviatedStatement"] = "Another title"
    (tmp_path / "3.json").write_text(json.dumps(package))
    result = _import(tmp_path / "3.json")
    assert result.exit_code == 1
    assert result.output == (
        "Error: ncf-pcpt version 3 is already imported with different content; imported "
        "versions never change, so give the new content a new version\n"
    )


def test_identifiers_another_version_keeps_are_refused(app, tmp_path):
    assert _import(FOREIGN).exit_code == 0
    package = json.loads(FOREIGN.read_text())
    package["CFDocument"]["version"] = "2026"
    (tmp_path / "2026.json").write_text(json.dumps(package))
    result = _import(tmp_path / "2026.json")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: identifier {package['CFDocument']['identifier']} of this package is already "
        "used by medicines-optimisation-skills version 2025: a CASE identifier names one "
        "object, so give a new version new identifiers\n"
    )
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 1


def test_validate_reads_a_package_too(runner):
    result = runner.invoke(args=["frameworks", "validate", str(FOREIGN)])
    assert result.exit_code == 0
    assert result.output == f"{FOREIGN}: ok (2 domains, 3 competencies)\n"


def _foreign() -> dict:
    return json.loads(FOREIGN.read_text())


def _item(package: dict, code: str) -> int:
    return next(i for i, item in enumerate(package["CFItems"]) if item["humanCodingScheme"] == code)


def _set(path: str, value):
    def change(package: dict) -> dict:
        *parents, last = path.split("/")
        node = package
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[int(last) if isinstance(node, list) else last] = value
        return package

    return change


_DELETE = object()
EXT = "competency-framework/v1"
BAD = [
    (
        "an item without its full statement",
        _set("CFItems/2/fullStatement", _DELETE),
        ["/CFItems/2: 'fullStatement' is required"],
    ),
    (
        "an identifier that is not a UUID",
        _set("CFItems/2/identifier", "MO.1"),
        [
            "/CFItems/2/identifier: 'identifier' must be a UUID in lowercase hexadecimal such "
            "as '1789c79e-a159-5961-be4b-dc706d292fc4', not 'MO.1'",
            f"/CFAssociations/3/originNodeURI/identifier: isChildOf from "
            f"{FOREIGN_PACKAGE['CFItems'][2]['identifier']}, which is not a CFItem of this package",
        ],
    ),
    (
        "a document without a title",
        _set("CFDocument/title", "  "),
        ["/CFDocument/title: 'title' must be non-blank text, not blank text"],
    ),
    (
        "an association type that is not text",
        _set("CFAssociations/5/associationType", 7),
        [
            "/CFAssociations/5/associationType: 'associationType' must be non-blank text, "
            "not a number"
        ],
    ),
    (
        "a date that is not a date and time",
        _set("CFItems/0/lastChangeDateTime", "yesterday"),
        [
            "/CFItems/0/lastChangeDateTime: 'lastChangeDateTime' must be a date and time such "
            "as '2026-12-06T21:00:00+00:00', not 'yesterday'"
        ],
    ),
    (
        "an unknown key in the extension",
        _set("CFDocument/extensions", {EXT: {"scales": []}}),
        [
            "/CFDocument/extensions/competency-framework~1v1/scales: unknown key 'scales' in the "
            "extension: it holds id, follows, scale, evidence_types, sign_off, standards, msf"
        ],
    ),
    (
        "a scale that signs nothing off (the framework validator's rule)",
        _set(
            "CFDocument/extensions",
            {EXT: {"scale": [{"id": "seen", "label": "Seen", "proficient": False}]}},
        ),
        [
            "/CFDocument/extensions/competency-framework~1v1/scale: the scale needs at least one "
            "value with 'proficient: true' (an outcome that signs a competency off)"
        ],
    ),
    (
        "a title over the limit",
        _set("CFItems/2/abbreviatedStatement", "x" * 301),
        ["/CFItems/2/abbreviatedStatement: 'title' is 301 characters long; the limit is 300"],
    ),
    (
        "a code that is not a code",
        _set("CFItems/2/humanCodingScheme", "MO 1"),
        [
            "/CFItems/2: 'id: MO 1' is not valid: use letters, digits, '.', '-' and '_', "
            "starting with a letter or digit"
        ],
    ),
]


@pytest.mark.parametrize(("change", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_package_is_refused_at_its_json_pointers_and_nothing_is_imported(
    app, tmp_path, change, expected
):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(change(_foreign())))
    result = _import(path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"{path}: {line}" for line in expected] + [NOTHING]
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 0


def test_a_package_that_is_not_json_is_refused_at_its_line(app, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "CFDocument": {,\n}')
    result = _import(path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:2: not valid JSON: Expecting property name enclosed in double quotes (column 18)",
        NOTHING,
    ]


@pytest.mark.parametrize("name", ["big.json", "big.case"])
def test_a_package_over_the_size_limit_is_refused_unread(app, tmp_path, name):
    package = _foreign()
    package["CFDocument"]["description"] = "x" * 1_048_576
    path = tmp_path / name
    path.write_text(json.dumps(package))
    result = _import(path)
    assert result.exit_code == 1
    size = path.stat().st_size
    assert result.output.splitlines() == [
        f"{path}: the file is too large: {size} bytes, the limit is 1048576 bytes (1 MiB)",
        NOTHING,
    ]
    assert (
        read_case_bytes(path.read_bytes()).problems[0].message.startswith("the file is too large")
    )


def test_the_tree_must_have_two_levels_and_one_parent_each(app, tmp_path):
    package = _foreign()
    mo1, mo2 = _item(package, "MO.1"), _item(package, "MO.2")
    child_of = next(
        a
        for a in package["CFAssociations"]
        if a["originNodeURI"]["identifier"] == package["CFItems"][mo2]["identifier"]
    )
    index = package["CFAssociations"].index(child_of)
    child_of["destinationNodeURI"]["identifier"] = package["CFItems"][mo1]["identifier"]
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(package))
    result = _import(path)
    assert result.output.splitlines() == [
        f"{path}: /CFAssociations/{index}: this item is the child of a competency: a framework "
        "has two levels, domains and their competencies",
        NOTHING,
    ]
    del package["CFAssociations"][index]
    path.write_text(json.dumps(package))
    assert _import(path).output.splitlines() == [
        f"{path}: /CFItems/{mo2}: this CFItem has no isChildOf association: every item needs "
        "its place in the tree",
        NOTHING,
    ]


def test_a_crosswalk_to_a_competency_not_imported_is_refused(app, tmp_path):
    import_framework_file(NCF)
    package = _export("3", tmp_path / "3.json")
    package["CFDocument"]["version"] = "3.9"
    package["CFDocument"]["extensions"][EXT]["follows"] = "3"
    text = json.dumps(package)
    for obj in _objects(package):  # new identifiers for a new version
        text = text.replace(obj["identifier"], obj["identifier"][:-4] + "abcd")
    package = json.loads(text)
    item = package["CFItems"][1]
    package["CFAssociations"].append(
        {
            "identifier": "0b5f8e3c-9a1d-4c2e-8f7a-6d5c4b3a2f10",
            "associationType": "replacedBy",
            "uri": "https://example.org/a",
            "originNodeURI": {
                "title": "Gone",
                "identifier": "0b5f8e3c-9a1d-4c2e-8f7a-000000000000",
                "uri": "https://example.org/gone",
            },
            "destinationNodeURI": {
                "title": item["abbreviatedStatement"],
                "identifier": item["identifier"],
                "uri": item["uri"],
            },
            "lastChangeDateTime": "2026-12-06T21:00:00+00:00",
        }
    )
    path = tmp_path / "3.9.json"
    path.write_text(json.dumps(package))
    result = _import(path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}: /CFAssociations/24: replacedBy links competency 'D1.1' to item "
        "0b5f8e3c-9a1d-4c2e-8f7a-000000000000, which is not a competency of version 3 of "
        "ncf-pcpt: import the version this package follows first",
        NOTHING,
    ]
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 1


def _renamed(package: dict, suffix: str) -> dict:
    """The package with new identifiers (each ending in `suffix`), links and all."""
    text = json.dumps(package)
    for obj in list(_objects(package)):
        text = text.replace(obj["identifier"], obj["identifier"][: -len(suffix)] + suffix)
    return json.loads(text)


def _association(kind: str, origin: dict, destination: dict) -> dict:
    def link(item):
        return {
            "title": item["fullStatement"],
            "identifier": item["identifier"],
            "uri": item["uri"],
        }

    return {
        "identifier": str(uuid.uuid4()),
        "associationType": kind,
        "uri": "https://case.example.org/a",
        "originNodeURI": link(origin),
        "destinationNodeURI": link(destination),
        "lastChangeDateTime": "2026-01-01T00:00:00Z",
    }


def test_a_package_from_elsewhere_follows_the_version_its_associations_name(app, tmp_path):
    assert _import(FOREIGN).exit_code == 0
    old = _foreign()
    new = _renamed(_foreign(), "beef")
    del new["CFDocument"]["version"]  # the default version, "1"
    items = {item["humanCodingScheme"]: item for item in new["CFItems"]}
    before = {item["humanCodingScheme"]: item for item in old["CFItems"]}
    del items["SA"]["humanCodingScheme"]  # codes by place: 2, and 2.1
    del items["SA.1"]["humanCodingScheme"]
    del items["SA.1"]["abbreviatedStatement"]
    statement = " ".join(["Reports incidents"] * 30)  # 539 characters on one line
    items["SA.1"]["fullStatement"] = statement
    new["CFAssociations"] += [
        _association("replacedBy", before["MO.1"], items["MO.1"]),
        _association("exactMatchOf", before["MO.2"], items["MO.2"]),  # old to new: either way
    ]
    path = tmp_path / "next.json"
    path.write_text(json.dumps(new))
    result = _import(path)
    assert result.exit_code == 0, result.output
    spec = read_case_bytes(path.read_bytes()).spec
    assert (spec.id, spec.version, spec.follows) == ("medicines-optimisation-skills", "1", "2025")
    assert [(c.competency, c.kind, c.old_ids) for c in spec.crosswalk] == [
        ("MO.1", "replaces", ("MO.1",)),
        ("MO.2", "replaces", ("MO.2",)),
    ]
    assert [d.id for d in spec.domains] == ["MO", "2"]
    [renamed] = spec.domains[1].competencies
    assert renamed.id == "2.1"
    assert renamed.title == statement[:299].rstrip() + "\u2026"
    assert len(renamed.title) <= 300
    assert renamed.description == statement
    assert len(_tree("medicines-optimisation-skills", "1")["crosswalk"]) == 2
