"""JSON nested too deeply is a 400, in the API's error shape, never a 500.

A body of 20,000 nested arrays ran Python's parser out of stack and answered 500. The
API is checked through a real server on loopback (where the 500 was seen) and the test
client; the pages, which take a form posted as JSON, through the test client.
"""

from __future__ import annotations

import http.client
import json

import pytest

from app.request_input import MAX_JSON_DEPTH, check_depth
from tests.security.world import fingerprint, signed_in_client

TOO_DEEP = {
    "error": {
        "code": "bad_request",
        "message": f"The JSON body is nested too deeply: at most {MAX_JSON_DEPTH} levels of "
        "objects and arrays are accepted",
        "fields": {},
    }
}


def nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


def deep_evidence(depth: int) -> str:
    """An evidence body whose answers hold a value nested `depth` levels below the body."""
    value = nested(depth - 2)  # the body is one level, `answers` another
    return '{"type": "reflective-account", "answers": {"what_happened": ' + value + "}}"


# --- The check -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        nested(MAX_JSON_DEPTH),
        nested(MAX_JSON_DEPTH // 2, '{"a":', "}"),
        # Brackets inside strings are text, however many.
        json.dumps({"note": "[" * 10_000, "list": [[["fine"]]]}),
        # Many siblings are not depth.
        json.dumps([[1]] * 5_000),
    ],
    ids=["at-the-limit", "objects", "brackets-in-strings", "wide-not-deep"],
)
def test_bodies_within_the_limit_pass(body):
    check_depth(body)
    check_depth(body.encode())


# --- Through the API -----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 20_000])
def test_a_deeply_nested_api_body_is_a_400_in_the_error_shape(app, world, login, depth):
    client = signed_in_client(app, login, world.users["owner"])
    before = fingerprint(app)
    response = client.post(
        "/api/v1/evidence", data=deep_evidence(depth), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json() == TOO_DEEP
    assert fingerprint(app) == before


def test_a_body_at_the_limit_reaches_validation(app, world, login):
    """Depth alone does not refuse: the schema answers about the fields."""
    client = signed_in_client(app, login, world.users["owner"])
    response = client.post(
        "/api/v1/evidence",
        data=deep_evidence(MAX_JSON_DEPTH),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "title" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("actor", "path"),
    [
        ("owner", "/api/v1/evidence"),
        ("assigned_supervisor", "/api/v1/evidence/{evidence_id}/reviews"),
    ],
)
def test_twenty_thousand_levels_sent_to_a_real_server_get_a_400(
    app, world, login, served, actor, path
):
    client = signed_in_client(app, login, world.users[actor])
    before = fingerprint(app)
    connection = http.client.HTTPConnection(served, timeout=30)
    try:
        connection.request(
            "POST",
            path.format(**world.args),
            body=nested(20_000),
            headers={
                "Content-Type": "application/json",
                "Authorization": client.environ_base["HTTP_AUTHORIZATION"],
            },
        )
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 400
    assert body == TOO_DEEP
    assert fingerprint(app) == before


# --- Through the pages ---------------------------------------------------------------------


def test_a_page_form_posted_as_deeply_nested_json_is_a_400_page(app, world, login):
    client = signed_in_client(app, login, world.users["admin"])
    before = fingerprint(app)
    body = '{"name": ' + nested(20_000) + ', "kind": "pcn"}'
    response = client.post("/admin/organisations/new", data=body, content_type="application/json")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The JSON body is nested too deeply" in page
    assert "Nothing was saved." in page
    assert fingerprint(app) == before
