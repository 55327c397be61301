"""Authentication beyond tests/test_auth.py: rehashing on sign-in, one answer for known and
unknown e-mails, changing a password, and what deactivation does to API tokens."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.services.accounts import api_tokens, passwords
from app.services.accounts import users as accounts

# Stronger than the suite's hasher (argon2's cheapest profile), still quick.
STRONGER = PasswordHasher(time_cost=2, memory_cost=64, parallelism=1, hash_len=16, salt_len=16)
OLD_PASSWORD = "an old but long passphrase"
NEW_PASSWORD = "a brand new long passphrase"


def _events(name: str, user_id: int) -> int:
    return len(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == name, AuditEvent.subject_id == str(user_id)
            )
        ).all()
    )


def test_a_weaker_hash_is_upgraded_on_a_successful_sign_in_only(client, make_user, monkeypatch):
    user = make_user(password=OLD_PASSWORD)  # hashed with the suite's weaker parameters
    weak_hash = user.password_hash
    monkeypatch.setattr(passwords, "_hasher", STRONGER)
    assert passwords.needs_rehash(weak_hash)

    failed = client.post("/auth/login", data={"email": user.email, "password": "not it at all"})
    assert failed.status_code == 200
    db.session.refresh(user)
    assert user.password_hash == weak_hash  # a failed attempt never touches the hash

    ok = client.post("/auth/login", data={"email": user.email, "password": OLD_PASSWORD})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=64,t=2,p=1$")
    assert not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, OLD_PASSWORD)


def test_known_and_unknown_emails_get_the_same_page_and_cost_one_verification_each(
    client, make_user, monkeypatch
):
    make_user(email="known@example.org")
    passwords.verify_password(None, "warm the dummy hash")  # made once per process
    calls = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, hash_, password):
        calls.append(hash_)
        return real_verify(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    pages = {}
    for email in ("known@example.org", "unknown@example.org"):
        calls.clear()
        response = client.post("/auth/login", data={"email": email, "password": "x" * 14})
        assert response.status_code == 200
        assert len(calls) == 1, f"{email}: {len(calls)} verifications"
        pages[email] = response.get_data(as_text=True).replace(email, "EMAIL")
    assert pages["known@example.org"] == pages["unknown@example.org"]


def test_deactivation_revokes_api_access_at_once(app, make_user):
    admin = make_user(roles=("admin",))
    user = make_user()
    token = api_tokens.create_token(user)
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    accounts.set_active(user, False, actor=admin)
    db.session.commit()
    assert api.get("/api/v1/me", headers=headers).status_code == 401


# --- Changing a password -----------------------------------------------------------------


def _change(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/auth/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_changing_the_password_ends_every_other_session(app, make_user, login):
    user = make_user(password=OLD_PASSWORD)
    here, laptop = app.test_client(), app.test_client()
    login(here, user, OLD_PASSWORD)
    login(laptop, user, OLD_PASSWORD)
    copied_cookie = laptop.get_cookie("session").value

    response = _change(here, OLD_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert here.get("/portfolio/").status_code == 200  # this session carries on
    assert laptop.get("/portfolio/").status_code == 302  # the other one is signed out
    replay = app.test_client()
    replay.set_cookie("session", copied_cookie)
    assert "/auth/login" in replay.get("/portfolio/").headers["Location"]
    assert _events("auth.password_changed", user.id) == 1

    fresh = app.test_client()
    old = fresh.post("/auth/login", data={"email": user.email, "password": OLD_PASSWORD})
    assert old.status_code == 200
    login(fresh, user, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("not the password", NEW_PASSWORD, None, "Your current password is not correct"),
        (OLD_PASSWORD, "eleven char", None, "at least 12 characters"),
        (OLD_PASSWORD, "y" * 129, None, "128 characters or fewer"),
        (OLD_PASSWORD, "password1234", None, "too common"),
        (OLD_PASSWORD, NEW_PASSWORD, "a different passphrase", "do not match"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    app, make_user, login, current, new, confirm, message
):
    user = make_user(password=OLD_PASSWORD)
    client = app.test_client()
    login(client, user, OLD_PASSWORD)
    before = (user.password_hash, user.session_version)
    response = _change(client, current, new, confirm)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    db.session.refresh(user)
    assert (user.password_hash, user.session_version) == before
    assert client.get("/portfolio/").status_code == 200


def test_a_128_character_password_can_be_set_and_used(app, make_user, login):
    user = make_user(password=OLD_PASSWORD)
    client = app.test_client()
    login(client, user, OLD_PASSWORD)
    longest = "correct horse battery staple " * 4 + "x" * 12
    assert len(longest) == 128
    assert _change(client, OLD_PASSWORD, longest).status_code == 302
    login(app.test_client(), user, longest)


def test_wrong_current_passwords_are_limited_like_sign_ins(app, make_user, login):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    user = make_user(password=OLD_PASSWORD)
    client = app.test_client()
    login(client, user, OLD_PASSWORD)
    for _ in range(2):
        assert _change(client, "a wrong guess here", NEW_PASSWORD).status_code == 200
    blocked = _change(client, OLD_PASSWORD, NEW_PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    db.session.refresh(user)
    assert passwords.verify_password(user.password_hash, OLD_PASSWORD)
