"""API tokens: made by a person for themselves (account page, after re-entering their
password) or on the command line, shown once, stored as a digest, expiring, revocable,
and ended with the person's sessions whenever those are ended for safety."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.users import ApiToken, User
from app.services.accounts import api_tokens
from app.services.accounts import users as accounts
from tests.conftest import DEFAULT_PASSWORD

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


# --- Ended with the sessions -------------------------------------------------------------


def _api_answer(client, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _ended_tokens(user: User) -> list[dict]:
    """What the audit trail says about tokens ended together, for `user`."""
    return [
        event.data
        for event in db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == "api_token.revoked_all",
                AuditEvent.subject_type == "user",
                AuditEvent.subject_id == str(user.id),
            )
            .order_by(AuditEvent.id)
        )
    ]


def _live_token(user: User, label: str = "Hub spreadsheet") -> str:
    token = api_tokens.create_token(user, label)
    db.session.commit()
    return token


def test_changing_the_password_ends_every_api_token(app, client, make_user, login):
    user = make_user(roles=("lead",))
    token, other = _live_token(user), _live_token(user, "Laptop script")
    assert _api_answer(client, token) == 200
    login(client, user)
    changed = client.post(
        "/auth/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a new long passphrase 42",
            "confirm_password": "a new long passphrase 42",
        },
    )
    assert changed.status_code == 302
    api = app.test_client()  # no cookie: the token alone
    assert (_api_answer(api, token), _api_answer(api, other)) == (401, 401)
    assert [t.revoked_at is not None for t in api_tokens.tokens_of(user)] == [True, True]
    assert _ended_tokens(user) == [{"tokens": 2, "reason": "password_changed"}]


def test_signing_out_everywhere_ends_every_session_and_api_token(app, make_user, login):
    user = make_user(roles=("lead",))
    token = _live_token(user)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    page = laptop.get("/account/tokens").get_data(as_text=True)
    assert "Sign out everywhere" in page
    done = phone.post("/account/sign-out-everywhere")
    assert done.status_code == 302
    assert done.headers["Location"] == "/auth/login"
    assert done.headers["Clear-Site-Data"] == '"cache", "storage"'  # as signing out does
    assert "stopped working" in phone.get("/auth/login").get_data(as_text=True)
    # Both browsers are signed out, and the token is refused.
    for browser in (laptop, phone):
        assert "/auth/login" in browser.get("/account/tokens").headers["Location"]
    assert _api_answer(app.test_client(), token) == 401
    assert _ended_tokens(user) == [{"tokens": 1, "reason": "signed_out_everywhere"}]
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user.id)
        )
    ).all()
    assert "auth.signed_out_everywhere" in actions


def test_signing_out_of_the_browser_leaves_api_tokens_working(app, client, make_user, login):
    """Signing out ends every browser session (a copied cookie too) but not the tokens a
    person made for their tools: those end on the tokens page, by signing out everywhere,
    by a password change or by deactivation."""
    user = make_user(roles=("lead",))
    token = _live_token(user)
    login(client, user)
    assert client.post("/auth/logout").status_code == 302
    assert _api_answer(app.test_client(), token) == 200
    assert _ended_tokens(user) == []


def test_deactivating_ends_every_api_token_and_reactivating_brings_none_back(
    app, client, make_user, login
):
    user = make_user(roles=("lead",))
    admin = make_user(roles=("admin",))
    token = _live_token(user)
    login(client, admin)
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    api = app.test_client()
    assert _api_answer(api, token) == 401
    assert client.post(f"/admin/users/{user.id}/reactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active
    assert _api_answer(api, token) == 401
    assert _ended_tokens(user) == [{"tokens": 1, "reason": "deactivated"}]


def test_a_token_left_live_by_an_earlier_deactivation_ends_on_reactivation(app, make_user):
    """Before tokens ended with deactivation, a deactivated person's tokens stayed live
    (refused only while the account was off): reactivating ends them."""
    user = make_user(roles=("lead",))
    admin = make_user(roles=("admin",))
    token = _live_token(user)
    user.active = False
    db.session.commit()
    accounts.set_active(user, True, actor=admin)
    db.session.commit()
    assert _api_answer(app.test_client(), token) == 401
    assert _ended_tokens(user) == [{"tokens": 1, "reason": "reactivated"}]


def test_an_expired_token_stays_expired_when_the_rest_are_ended(make_user):
    user = make_user()
    _live_token(user, "old")
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(days=1)))
    _live_token(user, "new")
    assert api_tokens.revoke_all(user, actor=user, reason="signed_out_everywhere") == 1
    db.session.commit()
    shown = {t.label: (t.live, t.revoked_at is not None) for t in api_tokens.tokens_of(user)}
    assert shown == {"old": (False, False), "new": (False, True)}


# --- A new token needs the password again ------------------------------------------------


def _make_stale(client) -> None:
    """As if the password was last entered long ago (the sign-in itself counts as entering it)."""
    with client.session_transaction() as session:
        session["fresh_at"] = 0


def test_the_token_page_asks_for_the_password_again_before_a_token_is_made(
    client, make_user, login
):
    user = make_user(roles=("lead",))
    login(client, user)
    _make_stale(client)
    asked = client.get("/account/tokens")
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/auth/confirm?next=/account/tokens"
    # A form posted from an old page makes nothing either.
    posted = client.post("/account/tokens", data={"label": "Hub spreadsheet", "days": "30"})
    assert posted.headers["Location"] == "/auth/confirm?next=/account/tokens"
    assert _count() == 0
    confirm = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "An API token works like your password" in confirm

    wrong = client.post(asked.headers["Location"], data={"password": "not the password"})
    assert wrong.status_code == 200
    assert _count() == 0
    back = client.post(asked.headers["Location"], data={"password": DEFAULT_PASSWORD})
    assert back.headers["Location"] == "/account/tokens"
    made = client.post("/account/tokens", data={"label": "Hub spreadsheet", "days": "30"})
    page = made.get_data(as_text=True)
    token = TOKEN.search(page).group(0)
    assert "Copy your new token now" in page
    assert _api_answer(client, token) == 200
    assert token not in client.get("/account/tokens").get_data(as_text=True)
    assert _count() == 1
