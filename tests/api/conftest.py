"""Fixtures for the JSON API: tokens, a JSON-calling helper, and the lead tests' seeded
hub (two PCNs, supervisors, three trainees in known states, a bulk seeder)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services.accounts import api_tokens
from tests.lead.conftest import (  # noqa: F401 - fixtures shared with the dashboard tests
    bulk_trainees,
    cliff,
    cliff_lead,
    cliff_practice,
    cohort,
    harbour,
    harbour_lead,
    harbour_practice,
    hub,
    lead,
    other_supervisor,
    seeded,
    supervisor,
    today,
)


@pytest.fixture
def token_for(app):
    def make(user) -> dict[str, str]:
        token = api_tokens.create_token(user, "tests")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


class Api:
    """Calls /api/v1 as one user, with their bearer token."""

    def __init__(self, client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kw)

    def post(self, path: str, body=None, **kw):
        if body is not None:
            kw["json"] = body
        return self.client.post(f"/api/v1{path}", headers=self.headers, **kw)


@pytest.fixture
def api_as(client, token_for):
    def make(user) -> Api:
        return Api(client, token_for(user))

    return make


def error_of(response) -> dict:
    """The CONTRACT's error body, checked for shape."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"], body
    return body["error"]
