"""The OpenAPI document: generated from the code, valid, complete, and true.

Completeness is checked against app.url_map, so a new API route fails here until it is
documented; truth is checked by schemathesis, which calls every documented operation
in-process with generated input and validates each answer against the document.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.extensions import db
from app.models.audit import AuditEvent

METHODS = {"get", "post", "put", "patch", "delete"}


def _document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3(client):
    document = _document(client)
    assert document["openapi"].startswith("3.")
    validate(document)


def test_every_api_route_and_method_is_documented(app, client):
    document = _document(client)
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
        if method in METHODS
    }
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_every_operation_documents_its_errors_in_the_contract_shape(client):
    document = _document(client)
    error_schema = document["components"]["schemas"]["ErrorOut"]
    assert error_schema["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message", "fields"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            assert operation.get("summary"), (method, path)
            if path == "/api/v1/openapi.json":
                assert operation["security"] == []
                continue
            # A public operation (checking a credential) takes no token: it never answers 401.
            unauthorised = set() if operation.get("security") == [] else {"401"}
            assert unauthorised | {"429"} <= set(operation["responses"]), (method, path)
            if method == "post" and "requestBody" in operation:
                assert {"415", "422"} <= set(operation["responses"]), (method, path)


def test_request_bodies_refuse_unlisted_fields_in_the_document_too(client):
    schemas = _document(client)["components"]["schemas"]
    for name in ("EvidenceIn", "ReviewIn"):
        assert schemas[name]["additionalProperties"] is False, name


# --- schemathesis: every documented operation, generated input, in-process -----------


def _isolated(app):
    """The app as a WSGI callable whose every request gets its own app context and `g`,
    as under a real server (the test holds an app context of its own open)."""

    def wsgi(environ, start_response):
        db.session.commit()
        with app.app_context():
            yield from app.wsgi_app(environ, start_response)
        db.session.commit()

    return wsgi


def _operations(app):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app))
    return [result.ok() for result in loaded.get_all_operations()]


@pytest.mark.parametrize("role", ["trainee", "supervisor", "lead"])
def test_generated_requests_never_cause_a_server_error(
    app, seeded, supervisor, lead, token_for, role
):
    """Every documented operation, with input generated from its schema, as each role.

    Each answer must match the document (status code, content type, body schema) and
    none may be a 5xx; GET requests must write nothing. (schemathesis's pytest fixture
    loader does not run under this pytest, so its Python API drives hypothesis here.)
    """
    user = {"trainee": seeded["ada"][0], "supervisor": supervisor, "lead": lead}[role]
    headers = token_for(user)
    calls = []
    for operation in _operations(app):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case):
            before = db.session.query(AuditEvent).count()
            case.headers = {**(case.headers or {}), **headers}
            # Rules no schema can state (a type or competency must exist in the trainee's
            # framework) rightly refuse some schema-valid bodies with 422.
            response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
            calls.append((case.method, case.path, response.status_code))
            assert response.status_code < 500
            if case.method.upper() == "GET":
                assert db.session.query(AuditEvent).count() == before

        call()
    assert len({(method, path) for method, path, _ in calls}) == len(_operations(app))
    # The token worked: some calls succeeded, so the fuzzing reached the views.
    assert sum(1 for *_, status in calls if status < 300) >= 10
