"""Sessions and response headers: time-outs, cookie flags, fixation, the CSP and friends,
and what production refuses. Headers on every page and role are also checked by the
access matrix (no-store, nosniff, the CSP, no inline script)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import PRODUCTION_SIGNING_KEY, ROOT

STRONG_KEY = "production-key-0123456789-abcdefghij-KLMNOP"


def _config_in_subprocess(**env: str) -> dict:
    """Read config.py as a fresh process would with these environment variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SESSION_", "SECRET_"))}
    code = (
        "import json, config; c = config.Config; print(json.dumps({"
        "'idle': c.SESSION_IDLE_MINUTES, "
        "'absolute': c.PERMANENT_SESSION_LIFETIME.total_seconds(), "
        "'fallbacks': c.SECRET_KEY_FALLBACKS}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_session_limits_default_to_30_minutes_idle_and_12_hours_and_read_the_environment():
    assert _config_in_subprocess() == {"idle": 30, "absolute": 12 * 3600, "fallbacks": []}
    assert _config_in_subprocess(
        SESSION_IDLE_MINUTES="10",
        SESSION_ABSOLUTE_HOURS="8",
        SECRET_KEY_FALLBACKS="old-key-one,old-key-two",
    ) == {"idle": 10, "absolute": 8 * 3600, "fallbacks": ["old-key-one", "old-key-two"]}


def _age_session(client, **seconds_ago: float) -> None:
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = time.time() - ago


def test_the_idle_limit_follows_the_configuration(app, make_user, login):
    app.config["SESSION_IDLE_MINUTES"] = 5
    user = make_user()
    active, idle = app.test_client(), app.test_client()
    login(active, user)
    login(idle, user)
    _age_session(active, seen_at=4 * 60)
    _age_session(idle, seen_at=6 * 60)
    assert active.get("/portfolio/").status_code == 200
    assert "/auth/login" in idle.get("/portfolio/").headers["Location"]


def test_the_idle_clock_moves_in_30_second_steps_without_resigning_the_cookie_between(
    app, make_user, login
):
    user = make_user()
    client = app.test_client()
    login(client, user)
    client.get("/portfolio/")  # the first page adds the CSRF secret to the session
    _age_session(client, seen_at=10)
    with client.session_transaction() as session:
        before = session["seen_at"]
    quiet = client.get("/portfolio/")
    assert "Set-Cookie" not in quiet.headers  # nothing in the session changed
    with client.session_transaction() as session:
        assert session["seen_at"] == before
    _age_session(client, seen_at=45)
    moved = client.get("/portfolio/")
    assert "session=" in moved.headers["Set-Cookie"]
    with client.session_transaction() as session:
        assert time.time() - session["seen_at"] < 5


def test_the_absolute_limit_follows_the_configuration(app, make_user, login):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=2)
    user = make_user()
    recent, old = app.test_client(), app.test_client()
    login(recent, user)
    login(old, user)
    _age_session(recent, login_at=1 * 3600)
    _age_session(old, login_at=3 * 3600)  # active a moment ago, but signed in too long ago
    assert recent.get("/portfolio/").status_code == 200
    assert "/auth/login" in old.get("/portfolio/").headers["Location"]


def test_signing_in_starts_a_new_session(client, make_user, login):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, make_user())
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].count(":") == 1  # the id carries the session version


def _session_cookie(response) -> dict:
    cookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    morsel = cookie["session"]
    return {
        "httponly": bool(morsel["httponly"]),
        "secure": bool(morsel["secure"]),
        "samesite": morsel["samesite"],
    }


def test_session_cookies_are_httponly_and_lax(client, make_user):
    user = make_user()
    response = client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert _session_cookie(response) == {"httponly": True, "secure": False, "samesite": "Lax"}


def _disposed(app) -> None:
    with app.app_context():
        db.engine.dispose()


def test_production_session_cookies_are_also_secure(database_url):
    app = create_app(
        "production",
        CREDENTIAL_SIGNING_KEY=PRODUCTION_SIGNING_KEY,
        SECRET_KEY=STRONG_KEY,
        BASE_URL="https://pcpt.example",
        SQLALCHEMY_DATABASE_URI=database_url,
    )
    response = app.test_client().get("/auth/login", base_url="https://pcpt.example")
    _disposed(app)
    # The sign-in page keeps its CSRF token in the session, so the cookie is set here.
    assert _session_cookie(response) == {"httponly": True, "secure": True, "samesite": "Lax"}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_is_for_production_only(client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_content_security_policy_allows_no_inline_script_plugins_or_framing(client):
    response = client.get("/auth/login")
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_personal_pages_and_files_are_never_cached(app, make_user, login):
    client = app.test_client()
    login(client, make_user())
    for path in ("/portfolio/", "/registration/", "/notifications/", "/portfolio/record"):
        assert "no-store" in client.get(path).headers["Cache-Control"], path


@pytest.mark.parametrize(
    ("key", "fallbacks"),
    [
        ("", []),
        ("short", []),
        ("x" * 64, []),  # long but not random
        ("abcabcabcabcabcabcabcabcabcabcabc", []),
        (STRONG_KEY, ["short-old-key"]),
    ],
)
def test_production_refuses_a_weak_secret_key(key, fallbacks):
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        create_app(
            "production",
            CREDENTIAL_SIGNING_KEY=PRODUCTION_SIGNING_KEY,
            SECRET_KEY=key,
            SECRET_KEY_FALLBACKS=fallbacks,
            SQLALCHEMY_DATABASE_URI="sqlite://",
        )


def test_production_starts_with_a_generated_key_and_fallback(database_url):
    app = create_app(
        "production",
        CREDENTIAL_SIGNING_KEY=PRODUCTION_SIGNING_KEY,
        SECRET_KEY=secrets.token_hex(16),
        SECRET_KEY_FALLBACKS=[secrets.token_urlsafe(32)],
        BASE_URL="https://pcpt.example",
        SQLALCHEMY_DATABASE_URI=database_url,
    )
    assert app.config["ENV_NAME"] == "production"
    _disposed(app)


def test_a_cookie_signed_with_a_fallback_key_is_accepted_in_a_new_app(
    app, database_url, make_user, login
):
    """A rotation as deployed: a new process with the new key and the old one as fallback."""
    client = app.test_client()
    login(client, make_user())
    cookie = client.get_cookie("session").value
    rotated = create_app(
        "testing",
        SECRET_KEY=secrets.token_urlsafe(32),
        SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]],
        SQLALCHEMY_DATABASE_URI=database_url,
    )
    rotated.test_client_class = type(client)
    after = rotated.test_client()
    after.set_cookie("session", cookie)
    with rotated.app_context():
        assert after.get("/portfolio/").status_code == 200
    _disposed(rotated)
