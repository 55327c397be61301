"""Two servers, one service: two gunicorn servers on loopback share PostgreSQL, Redis and
an S3-compatible object store (moto's server), as two hosts behind a load balancer would.

Evidence with a file uploaded through one is downloaded through the other; the sign-in
rate limit counts attempts made through both; a session made on one is valid on the
other; signing out on one ends the session on both. Each server has a local folder of
its own, which stays empty: nothing the service keeps lives on one server's disk.

Run with `-s` to see the summary it prints.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.extensions import db
from app.models.evidence import Attachment
from app.services.portfolio import evidence as evidence_service
from app.services.supervision import enrolments
from tests.conftest import DEFAULT_PASSWORD, ON_POSTGRES
from tests.evidence.conftest import valid_answers
from tests.two_servers.servers import ServedService

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="two servers share a database server: PostgreSQL (TEST_DATABASE_URL); a SQLite "
    "file belongs to one machine, so it cannot stand for what two hosts share",
)

TITLE = "Inhaler technique checks at the Tuesday clinic"
FILE = b"%PDF-1.4\n" + b"% notes from the clinic\n" * 5_000 + b"%%EOF\n"
LIMIT = 3  # failed or not, sign-in attempts allowed per account in the window


def csrf_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, allow_redirects=False)
    assert page.status_code == 200, (url, page.status_code)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.text
    )
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def try_sign_in(browser: requests.Session, server: ServedService, email: str, password: str):
    token = csrf_token(browser, f"{server.url}/auth/login")
    return browser.post(
        f"{server.url}/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


def carrying(cookies: dict[str, str]) -> requests.Session:
    """A browser holding exactly these cookies (as a load balancer sends the same browser
    to either server)."""
    browser = requests.Session()
    for name, value in cookies.items():
        browser.cookies.set(name, value, domain="127.0.0.1")
    return browser


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_two_servers_share_files_the_sign_in_limit_and_sessions(
    app,
    make_org,
    make_user,
    framework,
    s3_server,
    shared_queue,
    tmp_path,
):
    hub = make_org("Two Servers Hub", "training-hub")
    practice = make_org("Two Servers Practice", "practice", hub)
    trainee = make_user(roles=("trainee",), org=practice, email="ada.two@example.org")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000091")
    guessed = make_user(roles=("trainee",), org=practice, email="guessed@example.org")
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    code = framework.domains[0].competencies[0].code
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title=TITLE),
        [(code, "")],
        actor=trainee,
    )
    db.session.commit()
    storage_url = s3_server.storage_url()
    shared = {
        **s3_server.env,
        "PCPT_SHARED_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PCPT_SHARED_STORAGE_URL": storage_url,
        "PCPT_SHARED_REDIS_URL": shared_queue.url,
        "PCPT_SHARED_QUEUE": shared_queue.name,
        "PCPT_LOGIN_LIMIT_PER_ACCOUNT": f"{LIMIT} per 15 minutes",
    }
    a = ServedService("A", tmp_path / "server-a", shared)
    b = ServedService("B", tmp_path / "server-b", shared)
    summary: list[str] = []
    try:
        a.start()
        b.start()
        assert a.pid != b.pid
        summary.append(
            f"server A {a.url} (pid {a.pid}) and server B {b.url} (pid {b.pid}) share "
            f"PostgreSQL, Redis {shared_queue.url} and the S3 store {storage_url}"
        )

        # The sign-in limit: attempts through either server count against one total.
        guesser = requests.Session()
        seen = [
            try_sign_in(guesser, server, guessed.email, "not the password").status_code
            for server in (a, a, b)
        ]
        assert seen == [200, 200, 200]
        refused_b = try_sign_in(guesser, b, guessed.email, "not the password")
        refused_a = try_sign_in(guesser, a, guessed.email, DEFAULT_PASSWORD)
        assert refused_b.status_code == 429
        assert refused_a.status_code == 429  # even the right password, once over the limit
        summary.append(
            f"sign-in limit {LIMIT} per account: attempts 1-2 through A and 3 through B "
            f"answered {seen}; attempt 4 through B answered {refused_b.status_code}, "
            f"attempt 5 through A answered {refused_a.status_code}"
        )

        # A session made on A is valid on B.
        browser = requests.Session()
        signed_in = try_sign_in(browser, a, trainee.email, DEFAULT_PASSWORD)
        assert signed_in.status_code == 302
        cookies = browser.cookies.get_dict()
        on_b = carrying(cookies).get(f"{b.url}/portfolio/evidence/{item.id}", allow_redirects=False)
        assert on_b.status_code == 200
        assert TITLE in on_b.text
        summary.append("a session made by signing in on A opened the evidence page on B (200)")

        # A file uploaded through A is downloaded through B, from the shared store.
        token = csrf_token(browser, f"{a.url}/portfolio/evidence/{item.id}")
        uploaded = browser.post(
            f"{a.url}/portfolio/evidence/{item.id}/attachments",
            data={"csrf_token": token},
            files={"attachment": ("clinic-notes.pdf", FILE, "application/pdf")},
            allow_redirects=False,
        )
        assert uploaded.status_code == 302, uploaded.text[:500]
        db.session.rollback()
        attachment = db.session.scalars(
            select(Attachment).where(Attachment.storage_key.is_not(None))
        ).one()
        download = carrying(browser.cookies.get_dict()).get(
            f"{b.url}/portfolio/evidence/{item.id}/attachments/{attachment.id}",
            allow_redirects=False,
        )
        assert download.status_code == 200
        assert download.content == FILE
        assert download.headers["Content-Disposition"].startswith("attachment;")
        bucket, _, prefix = storage_url.removeprefix("s3://").partition("/")
        objects = s3_server.client().list_objects_v2(Bucket=bucket, Prefix=prefix + "/")
        assert [o["Size"] for o in objects.get("Contents", [])] == [len(FILE)]
        assert files_under(a.upload_dir) == []
        assert files_under(b.upload_dir) == []
        digest = hashlib.sha256(FILE).hexdigest()[:16]
        summary.append(
            f"evidence file uploaded through A ({len(FILE):,} bytes, sha256 {digest}...) "
            f"was downloaded through B byte for byte; it is one object in the S3 store and "
            f"neither server's own folder holds a file"
        )

        # Signing out on A ends the session on B too: the old cookie no longer works there.
        before = browser.cookies.get_dict()
        token = csrf_token(browser, f"{a.url}/portfolio/evidence/{item.id}")
        out = browser.post(
            f"{a.url}/auth/logout", data={"csrf_token": token}, allow_redirects=False
        )
        assert out.status_code == 302
        replayed = carrying(before).get(
            f"{b.url}/portfolio/evidence/{item.id}", allow_redirects=False
        )
        assert replayed.status_code == 302
        assert "/auth/login" in replayed.headers["Location"]
        summary.append(
            "signed out on A: the session cookie from before, sent to B, was sent to sign in "
            f"({replayed.status_code} to {replayed.headers['Location'].split('?')[0]})"
        )
    finally:
        a.stop()
        b.stop()
    for server in (a, b):
        assert "Traceback" not in server.log(), server.log()[-3000:]
    print("\nTwo servers, one service:\n" + "\n".join(f"- {line}" for line in summary))
