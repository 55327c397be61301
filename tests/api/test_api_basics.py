"""The JSON API CONTRACT: bearer tokens, shapes, errors."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services.accounts import api_tokens


def test_me_returns_the_token_owner(client, make_user, token_for):
    user = make_user(roles=("supervisor", "lead"), gphc="2000030")
    response = client.get("/api/v1/me", headers=token_for(user))
    assert response.status_code == 200
    assert response.get_json() == {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": ["lead", "supervisor"],
    }
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer pcpt_not-a-real-token", "Basic dXNlcjpwYXNz", "Token pcpt_x"],
)
def test_missing_or_bad_tokens_get_401_in_the_error_shape(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "unauthorized"


def test_a_session_cookie_does_not_authenticate_the_api(client, make_user, login):
    login(client, make_user())
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_users_token_stops_working(client, make_user, token_for):
    admin = make_user(roles=("admin",))
    user = make_user()
    headers = token_for(user)
    from app.services.accounts import users as accounts

    accounts.set_active(user, False, actor=admin)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_only_the_digest_of_a_token_is_stored(make_user):
    from sqlalchemy import select

    from app.models import ApiToken

    token = api_tokens.create_token(make_user())
    stored = db.session.scalar(select(ApiToken.token_sha256))
    assert token not in stored
    assert len(stored) == 64


def test_frameworks_list_and_tree(client, make_user, token_for, framework):
    headers = token_for(make_user())
    listing = client.get("/api/v1/frameworks", headers=headers).get_json()
    assert listing == {
        "items": [
            {
                "id": "ncf-pcpt",
                "version": "3",
                "title": framework.title,
                "status": "provisional",
                "label": f"{framework.title} (version 3, provisional draft: not the official "
                "wording)",
                "competency_count": 20,
            }
        ]
    }
    tree = client.get("/api/v1/frameworks/ncf-pcpt/versions/3", headers=headers).get_json()
    assert (tree["status"], tree["label"]) == ("provisional", listing["items"][0]["label"])
    assert [d["id"] for d in tree["domains"]] == ["D1", "D2", "D3", "D4"]
    first = tree["domains"][0]["competencies"][0]
    assert {"id", "title", "description", "indicators", "standards"} <= set(first)
    assert first["sign_off"]["observations"] is None
    by_id = {c["id"]: c for d in tree["domains"] for c in d["competencies"]}
    assert by_id["D3.1"]["sign_off"]["observations"] == {
        "types": ["consultation-observation"],
        "min_items": 2,
        "distinct_days": True,
        "min_rating": "competent",
    }
    missing = client.get("/api/v1/frameworks/ncf-pcpt/versions/9", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_framework_tree_uses_a_fixed_number_of_queries(
    client, make_user, token_for, framework, count_queries
):
    headers = token_for(make_user())
    with count_queries() as q:
        client.get("/api/v1/frameworks/ncf-pcpt/versions/3", headers=headers)
    assert q.count <= 12


def test_tokens_create_command_prints_a_working_token(runner, client, make_user):
    user = make_user()
    result = runner.invoke(args=["tokens", "create", "--email", user.email, "--label", "laptop"])
    assert result.exit_code == 0
    token = result.output.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["email"] == user.email


def test_tokens_create_for_an_unknown_user_fails_in_one_line(runner):
    result = runner.invoke(args=["tokens", "create", "--email", "nobody@example.org"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no account for nobody@example.org"


def test_too_many_requests_get_429_with_retry_after_per_token(app, client, make_user):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    busy = {"Authorization": f"Bearer {api_tokens.create_token(make_user())}"}
    calm = {"Authorization": f"Bearer {api_tokens.create_token(make_user())}"}
    db.session.commit()
    statuses = [client.get("/api/v1/me", headers=busy).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/me", headers=busy)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    body = refused.get_json()
    assert body["error"]["code"] == "too_many_requests"
    # Another token has its own allowance.
    assert client.get("/api/v1/me", headers=calm).status_code == 200
