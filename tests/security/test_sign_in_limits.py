"""Sign-in limits under pressure, through real servers on loopback.

A limit checked before an attempt and counted after it lets guesses sent at the same
moment all be evaluated; the limit is counted as each attempt arrives, before its password
is checked. A JSON body was keyed to one shared bucket and signed in to an account the
form had locked; the sign-in pages now take form bodies only. Each test fires its
attempts from threads released together, at a threaded werkzeug server (memory storage)
or at gunicorn workers sharing Redis, and counts what the service evaluated: one
`auth.login_failed` audit event per wrong password checked.

Run with -s to see the figures.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from limits import parse
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from tests.conftest import DEFAULT_PASSWORD, ROOT, _app_for
from tests.security.conftest import threaded_server

PARALLEL = 24
WRONG = "not the password at all"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str


@dataclass(frozen=True)
class Site:
    """Where a server listens, with a browser's session cookie and CSRF token for it."""

    host: str
    port: int

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode()
            return Answer(response.status, dict(response.getheaders()), text)
        finally:
            connection.close()

    def sign_in_form(self) -> tuple[str, str]:
        """The session cookie and CSRF token a browser gets with the sign-in page."""
        page = self.request("GET", "/auth/login")
        assert page.status == 200, page.text
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        assert token, "the sign-in page carries a CSRF token"
        return cookie, token.group(1)

    def post_form(self, email: str, password: str, cookie: str, token: str) -> Answer:
        body = urlencode({"csrf_token": token, "email": email, "password": password})
        return self.request(
            "POST",
            "/auth/login",
            body.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )

    def post_json(self, email: str, password: str, cookie: str, token: str) -> Answer:
        body = json.dumps({"email": email, "password": password})
        return self.request(
            "POST",
            "/auth/login",
            body.encode(),
            {"Content-Type": "application/json", "X-CSRFToken": token, "Cookie": cookie},
        )


def all_at_once(count: int, attempt: Callable[[], Answer]) -> list[Answer]:
    """`attempt` from `count` threads, released together once every one is ready."""
    start = threading.Barrier(count)

    def one() -> Answer:
        start.wait()
        return attempt()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: one(), range(count)))


def evaluated_wrong_passwords(user: User) -> int:
    db.session.commit()  # see what the servers committed
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.login_failed", AuditEvent.subject_id == str(user.id)
        )
    )


def signed_in(user: User) -> int:
    db.session.commit()
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.login", AuditEvent.subject_id == str(user.id)
        )
    )


def limit_of(app) -> int:
    return parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount


def _report(where: str, answers: list[Answer], evaluated: int) -> None:
    statuses = Counter(a.status for a in answers)
    print(
        f"\n{where}: sent {len(answers)} wrong passwords at once for one account; "
        f"evaluated {evaluated}; answered {dict(sorted(statuses.items()))}"
    )


# --- A threaded werkzeug server, memory storage ------------------------------------------------


@pytest.fixture
def served(app, database_url, tmp_path) -> Iterator[tuple[Site, object]]:
    """The app on a free loopback port, threaded, CSRF on, its own rate-limit memory."""
    live = _app_for(database_url, tmp_path)
    live.config["WTF_CSRF_ENABLED"] = True
    with threaded_server(live) as address:
        host, _, port = address.partition(":")
        yield Site(host, int(port)), live


def test_parallel_wrong_passwords_for_one_account_are_evaluated_at_most_the_limit(
    served, make_user
):
    site, live = served
    user = make_user()
    limit = limit_of(live)
    cookie, token = site.sign_in_form()

    email = user.email  # read here: the threads have no app context
    answers = all_at_once(PARALLEL, lambda: site.post_form(email, WRONG, cookie, token))

    evaluated = evaluated_wrong_passwords(user)
    _report("threaded werkzeug, memory storage", answers, evaluated)
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {200, 429}
    assert evaluated <= limit
    # Every attempt answered 200 was evaluated, and nothing else was.
    assert statuses[200] == evaluated
    assert statuses[429] == PARALLEL - evaluated
    refused = next(a for a in answers if a.status == 429)
    assert "Too many attempts" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    # Locked: even the right password is not checked now.
    right = site.post_form(user.email, DEFAULT_PASSWORD, cookie, token)
    assert right.status == 429
    assert signed_in(user) == 0


def test_a_json_sign_in_is_refused_even_for_an_account_the_form_has_locked(served, make_user):
    site, live = served
    user = make_user()
    cookie, token = site.sign_in_form()
    for _ in range(limit_of(live)):
        assert site.post_form(user.email, WRONG, cookie, token).status == 200
    assert site.post_form(user.email, DEFAULT_PASSWORD, cookie, token).status == 429

    answer = site.post_json(user.email, DEFAULT_PASSWORD, cookie, token)

    assert answer.status == 415
    assert "accept only what their web form sends" in answer.text
    assert signed_in(user) == 0
    cookie = answer.headers.get("Set-Cookie", cookie).split(";", 1)[0]
    assert site.request("GET", "/portfolio/", headers={"Cookie": cookie}).status == 302
    assert evaluated_wrong_passwords(user) == limit_of(live)


def test_a_json_sign_in_is_refused_for_any_account(served, make_user):
    """Not only once locked: JSON never reaches the password check on these pages."""
    site, _ = served
    user = make_user()
    cookie, token = site.sign_in_form()
    answer = site.post_json(user.email, DEFAULT_PASSWORD, cookie, token)
    assert answer.status == 415
    assert signed_in(user) == 0
    assert evaluated_wrong_passwords(user) == 0
    assert site.post_form(user.email, DEFAULT_PASSWORD, cookie, token).status == 302


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/auth/confirm", {"password": DEFAULT_PASSWORD}),
        (
            "/auth/password",
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": "a brand new passphrase",
                "confirm_password": "a brand new passphrase",
            },
        ),
    ],
)
def test_the_password_pages_refuse_json_bodies_too(served, make_user, path, fields):
    site, _ = served
    user = make_user()
    password_hash = user.password_hash
    cookie, token = site.sign_in_form()
    signed = site.post_form(user.email, DEFAULT_PASSWORD, cookie, token)
    assert signed.status == 302
    session = signed.headers["Set-Cookie"].split(";", 1)[0]
    page = site.request("GET", path, headers={"Cookie": session})
    session = page.headers.get("Set-Cookie", session).split(";", 1)[0]  # now with a token
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)

    answer = site.request(
        "POST",
        path,
        json.dumps(fields).encode(),
        {"Content-Type": "application/json", "X-CSRFToken": token, "Cookie": session},
    )

    assert answer.status == 415
    assert "accept only what their web form sends" in answer.text
    db.session.commit()
    db.session.refresh(user)
    assert user.password_hash == password_hash
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert actions.isdisjoint(
        {"auth.reconfirmed", "auth.reconfirm_failed", "auth.password_changed"}
    )


# --- gunicorn workers sharing Redis ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} stopped: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing answered on port {port}: {log.read_text()[-2000:]}")


@contextmanager
def _running(args: list[str], port: int, log: Path, env: dict | None = None) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


REDIS = shutil.which("redis-server")


@pytest.mark.skipif(REDIS is None, reason="needs redis-server (apt-get install redis-server)")
def test_gunicorn_workers_sharing_redis_evaluate_at_most_the_limit(
    app, database_url, tmp_path, make_user
):
    user = make_user()
    email = user.email  # read here: the threads have no app context
    redis_port, web_port = _free_port(), _free_port()
    redis = [REDIS, "--port", str(redis_port), "--bind", "127.0.0.1"]
    redis += ["--save", "", "--appendonly", "no"]  # nothing on disk
    env = {
        **os.environ,
        "FLASK_CONFIG": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-key-0123456789-abcdefghij-KLMNOP",
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/0",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "3", "--threads", "8"]
    gunicorn += ["--bind", f"127.0.0.1:{web_port}", "wsgi:app"]
    with (
        _running(redis, redis_port, tmp_path / "redis.log"),
        _running(gunicorn, web_port, tmp_path / "gunicorn.log", env),
    ):
        site = Site("127.0.0.1", web_port)
        cookie, token = site.sign_in_form()
        answers = all_at_once(PARALLEL, lambda: site.post_form(email, WRONG, cookie, token))
        right = site.post_form(email, DEFAULT_PASSWORD, cookie, token)
        as_json = site.post_json(email, DEFAULT_PASSWORD, cookie, token)

    evaluated = evaluated_wrong_passwords(user)
    _report("gunicorn, 3 workers x 8 threads, Redis", answers, evaluated)
    statuses = Counter(a.status for a in answers)
    # Redis counts each attempt once, atomically: exactly the limit got through.
    assert evaluated == limit_of(app)
    assert statuses == {200: evaluated, 429: PARALLEL - evaluated}
    assert right.status == 429
    assert as_json.status == 415
    assert signed_in(user) == 0
