"""API tokens: made by a person for themselves (account page) or on the command line,
shown once, stored as a digest, expiring, and revocable."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.users import ApiToken
from app.services import api_tokens

TOKEN = re.compile(r"pcpt_[A-Za-z0-9_-]{40,}")


def _count() -> int:
    return db.session.scalar(select(func.count(ApiToken.id)))


def test_a_person_makes_a_token_for_themselves_and_sees_it_once(client, make_user, login):
    user = make_user(roles=("lead",))
    login(client, user)
    empty = client.get("/account/tokens").get_data(as_text=True)
    assert "You have no API tokens." in empty
    made = client.post("/account/tokens", data={"label": "Hub spreadsheet", "days": "30"})
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    token = TOKEN.search(page).group(0)
    assert "Copy your new token now" in page
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["email"] == user.email
    later = client.get("/account/tokens").get_data(as_text=True)
    assert token not in later
    assert "Hub spreadsheet" in later
    assert "Active" in later
    row = db.session.scalar(select(ApiToken))
    lifetime = row.expires_at - row.created_at
    assert lifetime == timedelta(days=30)


def test_bad_token_requests_say_why_and_make_nothing(client, make_user, login):
    login(client, make_user())
    for data, message in (
        ({"label": "", "days": "30"}, "Say what the token is for"),
        ({"label": "Script", "days": "0"}, "A token must last at least 1 day"),
        ({"label": "Script", "days": "366"}, "A token must last between 1 and 365 days"),
        ({"label": "Script", "days": "soon"}, "as a whole number"),
        ({"label": "x" * 101, "days": "30"}, "100 characters or fewer"),
    ):
        response = client.post("/account/tokens", data=data)
        assert response.status_code == 400, data
        page = response.get_data(as_text=True)
        assert message in page, data
        assert page.count("<title>Error: ") == 1
        assert not TOKEN.search(page)
    assert _count() == 0


def test_revoking_a_token_stops_it_at_once(client, make_user, login):
    user = make_user()
    token = api_tokens.create_token(user, "laptop")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    login(client, user)
    token_id = db.session.scalar(select(ApiToken.id))
    response = client.post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Revoked" in page
    assert "Token revoked." in page


def test_nobody_revokes_another_persons_token_from_their_account_page(client, make_user, login):
    owner, other = make_user(), make_user(roles=("admin",))
    token = api_tokens.create_token(owner, "laptop")
    db.session.commit()
    login(client, other)
    token_id = db.session.scalar(select(ApiToken.id))
    refused = client.post(f"/account/tokens/{token_id}/revoke")
    assert refused.status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


def test_an_expired_token_is_refused(client, make_user):
    user = make_user()
    token = api_tokens.create_token(user, days=1)
    db.session.commit()
    assert api_tokens.user_for_token(token, now=utcnow() + timedelta(hours=23)) == user
    assert api_tokens.user_for_token(token, now=utcnow() + timedelta(days=1, seconds=1)) is None
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert api_tokens.tokens_of(user)[0].live is False


def test_the_command_line_sets_a_lifetime_and_refuses_a_bad_one(runner, make_user):
    user = make_user()
    made = runner.invoke(args=["tokens", "create", "--email", user.email, "--days", "7"])
    assert made.exit_code == 0
    assert TOKEN.fullmatch(made.output.strip())
    row = db.session.scalar(select(ApiToken))
    assert row.expires_at - row.created_at == timedelta(days=7)
    refused = runner.invoke(args=["tokens", "create", "--email", user.email, "--days", "0"])
    assert refused.exit_code == 1
    assert refused.output.strip() == "Error: A token must last between 1 and 365 days"
    assert _count() == 1
