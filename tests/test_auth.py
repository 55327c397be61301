"""Signing in and out, sessions, and the password rules."""

from __future__ import annotations

import time

import pytest
from bs4 import BeautifulSoup

from app.extensions import db
from app.services.accounts import passwords
from app.services.accounts import users as accounts
from app.services.errors import DomainError
from tests.conftest import PRODUCTION_SIGNING_KEY


def test_sign_in_sends_each_role_to_its_home(client, make_user):
    user = make_user(roles=("supervisor",), gphc="2000020")
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery"},
        follow_redirects=True,
    )
    assert response.request.path == "/supervision/"


def test_email_is_matched_without_regard_to_case(client, make_user):
    user = make_user(email="mixed@example.org")
    response = client.post(
        "/auth/login", data={"email": "MIXED@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert user.email == "mixed@example.org"


@pytest.mark.parametrize("email", ["known@example.org", "unknown@example.org"])
def test_wrong_credentials_get_the_same_message_for_known_and_unknown_emails(
    client, make_user, email
):
    make_user(email="known@example.org")
    response = client.post("/auth/login", data={"email": email, "password": "not the password"})
    page = BeautifulSoup(response.data, "html.parser")
    assert response.status_code == 200
    summary = page.select_one(".nhsuk-error-summary")
    assert "Email address or password is not correct" in summary.get_text()
    assert summary.select_one("a")["href"] == "#email"
    assert page.title.get_text().startswith("Error: ")


def test_empty_form_shows_both_errors(client):
    page = BeautifulSoup(client.post("/auth/login", data={}).data, "html.parser")
    links = [a["href"] for a in page.select(".nhsuk-error-summary a")]
    assert links == ["#email", "#password"]


def test_deactivated_account_cannot_sign_in(client, make_user):
    admin = make_user(roles=("admin",))
    user = make_user()
    accounts.set_active(user, False, actor=admin)
    db.session.commit()
    response = client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 200
    assert b"Email address or password is not correct" in response.data


def test_next_parameter_only_redirects_within_the_site(client, make_user):
    user = make_user()
    form = {"email": user.email, "password": "correct horse battery"}
    inside = client.post("/auth/login?next=/frameworks", data=form)
    assert inside.headers["Location"] == "/frameworks"
    client.post("/auth/logout")
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(f"/auth/login?next={target}", data=form)
        assert response.headers["Location"] == "/", target
        client.post("/auth/logout")


def test_sign_out_ends_every_session_and_a_replayed_cookie_is_refused(app, make_user, login):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    stolen = laptop.get_cookie("session").value
    assert laptop.post("/auth/logout").status_code == 302
    assert phone.get("/portfolio/").status_code == 302  # the other device is signed out too
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/portfolio/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_sign_out_is_post_only(client, make_user, login):
    login(client, make_user())
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/portfolio/").status_code == 200


def test_deactivation_ends_an_open_session_at_once(app, client, make_user, login):
    user = make_user()
    admin = make_user(roles=("admin",))
    login(client, user)
    accounts.set_active(user, False, actor=admin)
    db.session.commit()
    assert client.get("/portfolio/").status_code == 302


def test_idle_session_expires(app, client, make_user, login):
    login(client, make_user())
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 31 * 60
    response = client.get("/portfolio/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_session_expires_after_the_absolute_limit_even_when_active(client, make_user, login):
    login(client, make_user())
    with client.session_transaction() as session:
        session["login_at"] = time.time() - 13 * 3600
    assert client.get("/portfolio/").status_code == 302


def test_sign_in_form_is_refused_without_a_csrf_token(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 400
    page = client.get("/auth/login")
    token = BeautifulSoup(page.data, "html.parser").select_one("input[name=csrf_token]")["value"]
    ok = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12 characters"),
        ("x" * 129, "128 characters or fewer"),
        ("password1234", "too common"),
        ("Qwerty123456", "too common"),
    ],
)
def test_password_rules_refuse(password, message):
    with pytest.raises(DomainError, match=message):
        passwords.check_password_rules(password)


@pytest.mark.parametrize(
    "password", ["twelve chars", "no rules about symbols or digits", "x" * 128]
)
def test_password_rules_accept_long_passwords_without_composition_rules(password):
    passwords.check_password_rules(password)


def test_passwords_are_hashed_with_argon2id(make_user):
    user = make_user(password="a different long passphrase")
    assert user.password_hash.startswith("$argon2id$")
    assert passwords.verify_password(user.password_hash, "a different long passphrase")
    assert not passwords.verify_password(user.password_hash, "wrong")


def test_repeated_failed_sign_ins_to_one_account_are_limited(app, client, make_user):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    user = make_user()
    for _ in range(3):
        response = client.post("/auth/login", data={"email": user.email, "password": "wrong one"})
        assert response.status_code == 200
    blocked = client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.data.decode()
    # Another account from the same address is not locked out by the first one.
    other = make_user()
    ok = client.post(
        "/auth/login", data={"email": other.email, "password": "correct horse battery"}
    )
    assert ok.status_code == 302


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(app, client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    for i in range(4):
        client.post("/auth/login", data={"email": f"guess{i}@example.org", "password": "x" * 12})
    response = client.post(
        "/auth/login", data={"email": "guess9@example.org", "password": "x" * 12}
    )
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_production_refuses_to_start_without_a_strong_secret_key(monkeypatch):
    from app import create_app

    with pytest.raises(SystemExit, match="SECRET_KEY"):
        create_app(
            "production",
            CREDENTIAL_SIGNING_KEY=PRODUCTION_SIGNING_KEY,
            SECRET_KEY="short",
            SQLALCHEMY_DATABASE_URI="sqlite://",
        )


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    from app import create_app

    app = create_app(
        "production",
        CREDENTIAL_SIGNING_KEY=PRODUCTION_SIGNING_KEY,
        SECRET_KEY="production-key-0123456789-abcdefghij-KLMNOP",
        BASE_URL="https://pcpt.example",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.db'}",
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/auth/login", base_url="https://pcpt.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_rotated_secret_key_still_accepts_sessions_signed_with_the_old_one(app, make_user, login):
    client = app.test_client()
    login(client, make_user())
    signed_with_old_key = client.get_cookie("session").value
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-new-key-after-rotation-0123456789abcdef"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get("/portfolio/").status_code == 200
    # Once the rotation is over, a cookie signed only with the old key is refused.
    app.config["SECRET_KEY_FALLBACKS"] = []
    replay = app.test_client()
    replay.set_cookie("session", signed_with_old_key)
    assert replay.get("/portfolio/").status_code == 302


def test_confirming_the_password_makes_the_session_fresh(app, client, make_user, login):
    login(client, make_user())
    with client.session_transaction() as session:
        session["fresh_at"] = time.time() - 3600
    wrong = client.post("/auth/confirm?next=/frameworks", data={"password": "not it at all"})
    assert wrong.status_code == 200
    assert b"The password is not correct" in wrong.data
    with client.session_transaction() as session:
        assert time.time() - session["fresh_at"] > 600
    right = client.post(
        "/auth/confirm?next=/frameworks", data={"password": "correct horse battery"}
    )
    assert right.headers["Location"] == "/frameworks"
    with client.session_transaction() as session:
        assert time.time() - session["fresh_at"] < 5
