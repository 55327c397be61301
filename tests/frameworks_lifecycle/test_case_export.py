"""A framework version as a CASE 1.1 package: valid against 1EdTech's CFPackage JSON
Schema (vendored in case_schema/), the tree and the crosswalk as associations, stable
identifiers, and the same package from the API and the command line."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from app.extensions import db
from app.services.frameworks.case_export import case_package
from app.services.frameworks.case_identifiers import NAMESPACE
from tests.conftest import ROOT, import_framework_file
from tests.frameworks_lifecycle.case_helpers import NCF, NCF_31, base_url
from tests.frameworks_lifecycle.conftest import FILES

SCHEMA = json.loads(
    (ROOT / "tests/frameworks_lifecycle/case_schema/case-v1p1-cfpackage-schema.json").read_text()
)


@pytest.fixture
def ncf(app):
    return import_framework_file(NCF)


@pytest.fixture
def ncf_31(ncf):
    return import_framework_file(NCF_31)


def _uris(value):
    """Every `uri`, `officialSourceURL` in a package (the schema's format: uri)."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key in ("uri", "officialSourceURL"):
                yield child
            else:
                yield from _uris(child)
    elif isinstance(value, list):
        for child in value:
            yield from _uris(child)


def _by_code(package: dict) -> dict[str, dict]:
    return {item["humanCodingScheme"]: item for item in package["CFItems"]}


def _links(package: dict, association_type: str) -> list[tuple[str, str]]:
    """(origin title, destination title) of the package's associations of one type."""
    return [
        (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
        for a in package["CFAssociations"]
        if a["associationType"] == association_type
    ]


@pytest.mark.parametrize("version", ["3", "3.1"])
def test_the_package_is_valid_against_the_case_1_1_json_schema(ncf, ncf_31, version):
    framework = {"3": ncf, "3.1": ncf_31}[version]
    package = json.loads(json.dumps(case_package(framework.id, base_url())))
    validator = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
    assert [e.message for e in validator.iter_errors(package)] == []
    # The schema's `format: uri` needs a package jsonschema does not ship: checked here.
    assert all(urlsplit(u).scheme == "http" and urlsplit(u).netloc for u in _uris(package))


def test_domains_and_competencies_are_items_with_code_title_and_description(ncf):
    package = case_package(ncf.id, base_url())
    items = _by_code(package)
    assert len(items) == 4 + 20
    domain, competency = items["D1"], items["D1.1"]
    assert domain["CFItemType"] == "Domain"
    assert domain["abbreviatedStatement"] == "Multidisciplinary Team Working"
    assert competency["CFItemType"] == "Competency"
    assert (
        competency["abbreviatedStatement"] == "Contributing to the practice and PCN pharmacy team"
    )
    assert competency["fullStatement"].startswith("Knows who does what in the practice")
    extension = competency["extensions"]["competency-framework/v1"]
    assert extension["standards"] == ["gphc-2", "gphc-3"]
    assert len(extension["indicators"]) == 3
    document = package["CFDocument"]
    assert (document["title"], document["version"], document["adoptionStatus"]) == (
        "National Competency Framework for Primary Care Pharmacy Technicians",
        "3",
        "Draft",
    )
    assert document["extensions"]["competency-framework/v1"]["id"] == "ncf-pcpt"


def test_the_tree_is_is_child_of_associations_in_order(ncf):
    package = case_package(ncf.id, base_url())
    items = _by_code(package)
    document = package["CFDocument"]["identifier"]
    children = {
        a["originNodeURI"]["identifier"]: (
            a["destinationNodeURI"]["identifier"],
            a["sequenceNumber"],
        )
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
    }
    assert len(children) == len(items)
    assert children[items["D2"]["identifier"]] == (document, 2)
    assert children[items["D1.3"]["identifier"]] == (items["D1"]["identifier"], 3)


def test_the_crosswalk_is_replaced_by_exact_match_and_part_of(ncf, ncf_31):
    package = case_package(ncf_31.id, base_url())
    new = {code: item["identifier"] for code, item in _by_code(package).items()}
    old = {code: i["identifier"] for code, i in _by_code(case_package(ncf.id, base_url())).items()}
    replaced_by, exact = _links(package, "replacedBy"), _links(package, "exactMatchOf")
    # replaces, wording unchanged (D1.1): replacedBy, and exactMatchOf back.
    assert (old["D1.1"], new["D1.1"]) in replaced_by
    assert (new["D1.1"], old["D1.1"]) in exact
    # replaces, reworded (D2.1): replacedBy only.
    assert (old["D2.1"], new["D2.1"]) in replaced_by
    assert (new["D2.1"], old["D2.1"]) not in exact
    # merges [D1.3, D1.4] into D1.3: each merged old item replacedBy the new one.
    assert sorted(o for o, n in replaced_by if n == new["D1.3"]) == sorted(
        [old["D1.3"], old["D1.4"]]
    )
    # splits_from D3.3 into D3.3 and D3.6: replacedBy each part, each part isPartOf it.
    assert sorted(n for o, n in replaced_by if o == old["D3.3"]) == sorted(
        [new["D3.3"], new["D3.6"]]
    )
    assert sorted(p for p, o in _links(package, "isPartOf") if o == old["D3.3"]) == sorted(
        [new["D3.3"], new["D3.6"]]
    )
    # An old competency nothing points to has ended: D3.4 is replaced by nothing.
    assert not [n for o, n in replaced_by if o == old["D3.4"]]


def test_the_package_takes_as_many_queries_however_large_the_framework(
    app, ncf, ncf_31, count_queries
):
    small = import_framework_file(FILES / "v1.yaml")
    small_next = import_framework_file(FILES / "v2.yaml")
    counts = []
    for framework in (small, ncf, small_next, ncf_31):
        db.session.expire_all()
        with count_queries() as queries:
            case_package(framework.id, base_url())
        counts.append(queries.count)
    assert counts[0] == counts[1]  # 1 domain and 5 competencies, or 4 and 20
    assert counts[2] == counts[3]  # each with the crosswalk to the version it follows


def test_identifiers_are_the_same_after_a_re_import_into_another_database(ncf, fresh_database):
    first = case_package(ncf.id, base_url())
    second = fresh_database(lambda: case_package(import_framework_file(NCF).id, base_url()))
    assert _all_identifiers(second) == _all_identifiers(first)
    # Derived, not random: a name-based UUID of the id, version and object.
    assert first["CFDocument"]["identifier"] == str(uuid.uuid5(NAMESPACE, "ncf-pcpt@3/document"))


def _all_identifiers(package: dict) -> list[str]:
    return [package["CFDocument"]["identifier"]] + [
        o["identifier"] for key in ("CFItems", "CFAssociations") for o in package[key]
    ]


def test_the_api_answers_the_package_to_any_signed_in_user(client, ncf, make_user):
    from app.services.accounts import api_tokens

    token = api_tokens.create_token(make_user(("trainee",)), "tests")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/frameworks/ncf-pcpt/versions/3/case", headers=headers)
    assert response.status_code == 200
    assert response.json == json.loads(json.dumps(case_package(ncf.id, base_url())))
    missing = client.get("/api/v1/frameworks/ncf-pcpt/versions/9/case", headers=headers)
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == "No framework ncf-pcpt version 9"
    assert client.get("/api/v1/frameworks/ncf-pcpt/versions/3/case").status_code == 401


def test_the_openapi_document_describes_the_case_endpoint(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/frameworks/{code}/versions/{version}/case"]["get"]
    assert "CASE 1.1" in operation["summary"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/CfPackage")
    properties = document["components"]["schemas"]["CfItem"]["properties"]
    assert {"humanCodingScheme", "fullStatement", "identifier", "uri"} <= set(properties)


def test_the_command_writes_the_package_to_standard_output_or_a_file(runner, ncf, tmp_path):
    printed = runner.invoke(args=["frameworks", "export", "--format", "case", "ncf-pcpt@3"])
    assert printed.exit_code == 0, printed.output
    package = json.loads(printed.output)
    assert package == json.loads(json.dumps(case_package(ncf.id, base_url())))
    target = tmp_path / "ncf.json"
    written = runner.invoke(
        args=["frameworks", "export", "--format", "case", "ncf-pcpt@3", str(target)]
    )
    assert written.exit_code == 0, written.output
    assert (
        written.output == f"{target}: ncf-pcpt version 3 as CASE 1.1 (24 items, 24 associations)\n"
    )
    assert json.loads(target.read_text(encoding="utf-8")) == package


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ncf-pcpt@9"], "Error: ncf-pcpt version 9 is not imported\n"),
        (
            ["ncf-pcpt"],
            "Error: ID@VER must name a framework version as ID@VERSION, e.g. ncf-pcpt@3\n",
        ),
    ],
)
def test_the_command_refuses_a_version_not_imported_in_one_line(runner, ncf, args, message):
    result = runner.invoke(args=["frameworks", "export", "--format", "case", *args])
    assert result.exit_code == 1
    assert result.output == message
