"""The `Host` header is the client's word: it never becomes a link or a redirect.

Links in e-mails and API `Location` headers come from BASE_URL (required in production);
production refuses requests for any host but TRUSTED_HOSTS (by default BASE_URL's own)
before anything else runs. The e-mails themselves are checked in
tests/supervision/test_supervision_email_links.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest
from werkzeug.routing import Rule

from app import create_app
from app.extensions import db
from app.models.audit import AuditEvent
from tests.conftest import DEFAULT_PASSWORD, PRODUCTION_SIGNING_KEY, ROOT
from tests.security.world import audit_count

STRONG_KEY = "production-key-0123456789-abcdefghij-KLMNOP"
SERVICE = "https://pcpt.example.nhs.uk"
FORGED = "evil.example"


@pytest.fixture
def production(database_url, tmp_path):
    app = create_app(
        "production",
        CREDENTIAL_SIGNING_KEY=PRODUCTION_SIGNING_KEY,
        SECRET_KEY=STRONG_KEY,
        BASE_URL=SERVICE,
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_OUTBOX=str(tmp_path / "outbox"),
    )
    yield app
    with app.app_context():
        db.engine.dispose()


# --- Starting up ---------------------------------------------------------------------------------


def test_production_refuses_to_start_without_base_url():
    with pytest.raises(SystemExit) as refused:
        create_app(
            "production",
            CREDENTIAL_SIGNING_KEY=PRODUCTION_SIGNING_KEY,
            SECRET_KEY=STRONG_KEY,
            BASE_URL="",
            SQLALCHEMY_DATABASE_URI="sqlite://",
        )
    assert str(refused.value) == (
        "BASE_URL must be set to the service's address, e.g. https://pcpt.example.nhs.uk"
    )


def test_a_production_command_without_base_url_exits_with_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "TRUSTED_HOSTS")}
    env |= {
        "FLASK_CONFIG": "production",
        "CREDENTIAL_SIGNING_KEY": PRODUCTION_SIGNING_KEY,
        "SECRET_KEY": STRONG_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "routes"]
    done = subprocess.run(flask, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "BASE_URL must be set to the service's address, e.g. https://pcpt.example.nhs.uk"
    )


@pytest.mark.parametrize(
    "value",
    [
        "pcpt.example.nhs.uk",  # no scheme
        "ftp://pcpt.example.nhs.uk",
        "https://",
        "https://pcpt.example.nhs.uk/portfolio",  # a path: links are built from the root
        "https://pcpt.example.nhs.uk/?next=x",
        "https://someone@pcpt.example.nhs.uk",
        "https://pcpt.example.nhs.uk:port",
    ],
)
def test_a_base_url_that_is_not_a_scheme_and_host_is_refused(value):
    with pytest.raises(SystemExit, match="BASE_URL must be a scheme and host"):
        create_app("testing", BASE_URL=value, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_outside_production_base_url_defaults_to_the_development_server(app):
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["TRUSTED_HOSTS"] is None  # any host: `flask run` on a laptop


def test_production_trusts_only_base_urls_host_by_default(production):
    assert production.config["TRUSTED_HOSTS"] == ["pcpt.example.nhs.uk"]


# --- Requests for another host -------------------------------------------------------------------


def test_production_answers_its_own_host(production):
    page = production.test_client().get("/auth/login", base_url=SERVICE)
    assert page.status_code == 200
    assert "Sign in to PCPT Portfolio" in page.get_data(as_text=True)


@pytest.mark.parametrize("host", [FORGED, f"{FORGED}:443", "pcpt.example.nhs.uk.evil.example"])
def test_production_refuses_a_page_for_another_host(production, host):
    response = production.test_client().get("/auth/login", headers={"Host": host})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "This service does not answer for that host name.\n"
    assert FORGED not in str(response.headers)


def test_production_refuses_a_sign_in_for_another_host_before_checking_anything(
    production, make_user
):
    user = make_user()
    before = audit_count()
    response = production.test_client().post(
        "/auth/login",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
        headers={"Host": FORGED},
    )
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
    assert audit_count() == before
    assert db.session.query(AuditEvent).filter_by(action="auth.login").count() == 0


def test_production_refuses_an_api_call_for_another_host_in_the_apis_error_shape(production):
    response = production.test_client().get("/api/v1/me", headers={"Host": FORGED})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": {
            "code": "untrusted_host",
            "message": "This service does not answer for that host name.",
            "fields": {},
        }
    }


def test_trusted_hosts_come_from_the_environment(database_url):
    """TRUSTED_HOSTS replaces the default: here a second name the load balancer uses."""
    script = textwrap.dedent(
        """
        from app import create_app
        app = create_app()
        client = app.test_client()
        for host in ("pcpt.example.nhs.uk", "internal.pcpt.example", "evil.example"):
            print(host, client.get("/healthz", headers={"Host": host}).status_code)
        """
    )
    env = {
        **os.environ,
        "FLASK_CONFIG": "production",
        "CREDENTIAL_SIGNING_KEY": PRODUCTION_SIGNING_KEY,
        "SECRET_KEY": STRONG_KEY,
        "DATABASE_URL": database_url,
        "BASE_URL": SERVICE,
        "TRUSTED_HOSTS": " pcpt.example.nhs.uk, internal.pcpt.example ,",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "pcpt.example.nhs.uk 200",
        "internal.pcpt.example 200",
        "evil.example 400",
    ]


# --- Redirects ----------------------------------------------------------------------------------


def _pages_without_arguments(app) -> list[str]:
    rules: list[Rule] = [
        r
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and not r.arguments and r.endpoint != "static"
    ]
    return sorted({r.rule for r in rules})


@pytest.mark.parametrize("who", ["anonymous", "trainee"])
def test_no_answer_names_a_forged_host_outside_production(app, make_user, login, who):
    """Without a host check (development), no page or redirect repeats the Host sent:
    every redirect is a path, Werkzeug's (adding a missing trailing slash) included."""
    client = app.test_client()
    if who == "trainee":
        login(client, make_user())
        client.set_cookie("session", client.get_cookie("session").value, domain=FORGED)
    problems = []
    for page in _pages_without_arguments(app):
        for path in {page, page.rstrip("/") or "/"}:
            response = client.get(path, headers={"Host": FORGED})
            location = response.headers.get("Location", "")
            if FORGED in location or FORGED.encode() in response.get_data():
                problems.append(f"{path}: {response.status_code} names {FORGED}: {location}")
            elif location and (not location.startswith("/") or location.startswith("//")):
                problems.append(f"{path}: redirects to a host, not a path: {location}")
    assert problems == []
    assert client.get("/portfolio", headers={"Host": FORGED}).status_code == 308


def test_a_missing_trailing_slash_redirects_to_a_path(app):
    response = app.test_client().get("/notifications?x=1", headers={"Host": FORGED})
    assert response.status_code == 308
    assert response.headers["Location"] == "/notifications/?x=1"
    assert FORGED not in response.get_data(as_text=True)


# --- One helper ----------------------------------------------------------------------------------


def test_no_code_builds_an_address_from_the_request_host():
    """`absolute_url` is the one way to a full address; these would read the client's Host."""
    from_host = re.compile(r"_external\s*=\s*True|\burl_root\b|\bhost_url\b|request\.host\b")
    sources = [*(ROOT / "app").rglob("*.py"), *(ROOT / "app").rglob("*.jinja")]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if from_host.search(line)
    ]
    assert found == []
