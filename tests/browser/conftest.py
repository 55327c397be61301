"""Real-browser tests: the app served on a free loopback port, driven by Debian's Chromium.

Without Chromium these tests are skipped with one line saying how to enable them;
CI sets PCPT_REQUIRE_BROWSER=1 so a missing browser fails instead. The checks a journey
makes of each page (axe-core, titles, error summaries) are in `page_checks`.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from app.extensions import db
from tests.browser.page_checks import (  # noqa: F401 - the journeys import them from here
    CHECKED,
    SCREENSHOTS,
    assert_accessible,
    assert_error_summary_focused,
    route,
    screenshot,
)
from tests.conftest import ROOT, _app_for
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
            f"320 px wide, screenshots in {SCREENSHOTS.relative_to(ROOT)}/"
        )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

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


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request: a failing journey's output shows the failure, not the traffic."""

    def log_request(self, code="-", size="-") -> None:
        pass


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self._server = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app, database_url, tmp_path) -> Iterator[LiveServer]:
    """The app on a free port, on this test's fresh database, with CSRF switched on."""
    served = _app_for(database_url, tmp_path)
    served.config["WTF_CSRF_ENABLED"] = True
    server = LiveServer(served)
    server.start()
    yield server
    server.stop()
    # Close the served app's pooled connections now: left to the garbage collector, a
    # PostgreSQL connection warns (ResourceWarning) in whichever later test collects it.
    with served.app_context():
        db.engine.dispose()


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


def make_login_stale(page, live_server: LiveServer) -> None:
    """As if the password was last entered long ago: the browser's session cookie is
    re-signed with the app's own key, its `fresh_at` moved to 1970, nothing else changed."""
    app = live_server.app
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in page.context.cookies() if c["name"] == name)
    data = serializer.loads(cookie["value"])
    data["fresh_at"] = 0
    page.context.add_cookies([{**cookie, "value": serializer.dumps(data)}])
