"""Real-browser tests: gunicorn serves the app on a free loopback port, Chromium drives it.

Without Chromium these tests are skipped with one line saying how to enable them;
CI sets PCPT_REQUIRE_BROWSER=1 so a missing browser fails instead. The checks a journey
makes of each page (axe-core, titles, error summaries) are in `page_checks`.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import make_url, text

from app.extensions import db
from tests.browser.page_checks import (  # noqa: F401 - the journeys import them from here
    CHECKED,
    SCREENSHOTS,
    TAKE_SCREENSHOTS,
    assert_accessible,
    assert_error_summary_focused,
    route,
    screenshot,
)
from tests.conftest import ROOT
from tests.lead.conftest import (  # noqa: F401 - the dashboard tests' seeded cohort, for the lead journey
    cliff,
    cliff_practice,
    cohort,
    harbour,
    harbour_practice,
    hub,
    lead,
    other_supervisor,
    seeded,
    supervisor,
    today,
)

CHROMIUM = os.environ.get("PCPT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
REQUIRE_BROWSER = os.environ.get("PCPT_REQUIRE_BROWSER") == "1"
SKIP_REASON = (
    "browser tests need Chromium: install it (apt-get install chromium) "
    "or set PCPT_CHROMIUM=/path/to/chromium"
)


# Pages a journey may visit without checking them itself: the sign-in page every journey
# starts on has its own test (test_foundation_journeys.py).
UNCHECKED_ROUTES = {"/auth/login"}


def pytest_collection_modifyitems(config, items):
    if HAVE_CHROMIUM:
        return
    if REQUIRE_BROWSER and any("browser" in item.path.parts for item in items):
        raise pytest.UsageError(f"PCPT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing; {SKIP_REASON}")


@pytest.fixture(scope="session", autouse=True)
def _chromium_or_skip() -> None:
    if not HAVE_CHROMIUM:
        pytest.skip(SKIP_REASON)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Every browser test's skip is reported from here, so `-ra` folds them into one line."""
    report = yield
    if report.skipped and not HAVE_CHROMIUM and isinstance(report.longrepr, tuple):
        report.longrepr = (__file__, 1, f"Skipped: {SKIP_REASON}")
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if CHECKED:
        routes = {shown for _, shown in CHECKED}
        terminalreporter.write_line(
            f"axe-core: {len(CHECKED)} page states on {len(routes)} pages checked at 1280 and "
            f"320 px wide"
            + (f", screenshots in {SCREENSHOTS.relative_to(ROOT)}/" if TAKE_SCREENSHOTS else "")
        )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (10 s): on a loaded machine a page served by
    # gunicorn can take longer than expect's 5-second default to arrive.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class GunicornServer:
    """The app served by gunicorn in processes of its own, as in production, on the test's
    database, upload folder and outbox.

    A real server sends a response's body after the request has ended and its database
    session is closed; a streamed download that still needs that session fails only there.
    So the journeys run against gunicorn, and `stop` leaves no process and no database
    connection behind (an idle PostgreSQL connection would hold up the per-test clean-up).
    """

    WORKERS = 2
    STARTUP_SECONDS = 60

    def __init__(self, app, folder: Path) -> None:
        self.app = app  # the test's own app: the same secret key signs the same cookies
        self.url = ""
        self._log_path = folder / "gunicorn.log"
        self._name = f"pcpt-browser-{uuid.uuid4().hex[:12]}"
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "postgresql":
            # Named, so `stop` can see that every connection of the server's has gone.
            url = url.update_query_dict({"application_name": self._name})
        self._env = {
            **os.environ,
            "PCPT_SERVED_DATABASE_URL": url.render_as_string(hide_password=False),
            "PCPT_SERVED_UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "PCPT_SERVED_MAIL_OUTBOX": app.config["MAIL_OUTBOX"],
        }
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self.WORKERS),
                    "--bind",
                    "127.0.0.1:0",
                    # The app is imported once, before the workers fork: every test
                    # starts its own server, so start-up time counts.
                    "--preload",
                    "--graceful-timeout",
                    "10",
                    "tests.browser.served_app:app",
                ],
                cwd=ROOT,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.STARTUP_SECONDS
        while not self._ready():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn did not start:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def _ready(self) -> bool:
        """Listening (gunicorn chose the free port and logged it) and answering /healthz."""
        if not self.url:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log())
            if not found:
                return False
            self.url = found.group(1)
        connection = http.client.HTTPConnection(urlsplit(self.url).netloc, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def log(self) -> str:
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def stop(self) -> None:
        if self._process is None:
            return
        workers = _children(self._process.pid)
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            pytest.fail(f"gunicorn did not stop when asked:\n{self.log()[-3000:]}")
        finally:
            self._process = None
        _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), "workers")
        if self._env["PCPT_SERVED_DATABASE_URL"].startswith("postgresql"):
            _wait_for(lambda: self._connections() == 0, "PostgreSQL connections")

    def _connections(self) -> int:
        with db.engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": self._name},
            ).scalar_one()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def _wait_for(done: Callable[[], bool], what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"gunicorn's {what} outlived it")
        time.sleep(0.05)


@pytest.fixture
def live_server(app) -> Iterator[GunicornServer]:
    """gunicorn serving this test's fresh database, with CSRF switched on. Anything the
    server logged as an error (a traceback) fails the test."""
    server = GunicornServer(app, Path(app.config["UPLOAD_DIR"]).parent)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    log = server.log()
    assert "Traceback" not in log, f"the server logged an error:\n{log[-5000:]}"


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """`new_page(**context_options)`: a page in its own browser context (its own cookies),
    at desktop size; `java_script_enabled=False` gives a browser without JavaScript.

    Whatever the pages load must load: a stylesheet, script or image that fails, or an
    error in the browser's console (a script error, a blocked inline script), fails the test.
    So does a page the test visited but never checked with `assert_accessible`.
    """
    contexts = []
    broken: list[str] = []
    visited: set[str] = set()
    checked_before = len(CHECKED)

    def watch(response) -> None:
        if response.request.service_worker is not None:
            # The service worker fetching a page or file for the page (network first):
            # what it fetched reaches the page as the page's own response, judged below.
            return
        if response.request.resource_type != "document":
            if response.status >= 400:
                broken.append(f"{response.status} {response.url}")
        elif response.status < 300 and "text/html" in response.headers.get("content-type", ""):
            visited.add(route(response.url))

    def console(message) -> None:
        # A page answered 4xx on purpose logs "status of 4..": `watch` judges those.
        if message.type == "error" and "status of 4" not in message.text:
            broken.append(f"console: {message.text}")

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server.url, accept_downloads=True, **options)
        contexts.append(context)
        context.on("response", watch)
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda error: broken.append(f"script error: {error}"))
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
    assert broken == [], "the pages loaded with problems:\n" + "\n".join(broken)
    unchecked = visited - {shown for _, shown in CHECKED[checked_before:]} - UNCHECKED_ROUTES
    assert not unchecked, f"pages visited but not checked with axe: {sorted(unchecked)}"


@pytest.fixture
def page(new_page):
    """A fresh browser context per test (no shared cookies), at desktop size."""
    return new_page()


def sign_in(page, email: str, password: str = "correct horse battery") -> None:
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def make_login_stale(page, live_server: GunicornServer) -> None:
    """As if the password was last entered long ago: the browser's session cookie is
    re-signed with the app's own key, its `fresh_at` moved to 1970, nothing else changed."""
    app = live_server.app
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in page.context.cookies() if c["name"] == name)
    data = serializer.loads(cookie["value"])
    data["fresh_at"] = 0
    page.context.add_cookies([{**cookie, "value": serializer.dumps(data)}])
