"""Real-browser tests: the app served on a free loopback port, driven by Debian's Chromium.

Without Chromium these tests are skipped with one line saying how to enable them;
CI sets PCPT_REQUIRE_BROWSER=1 so a missing browser fails instead.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from tests.conftest import ROOT, _app_for

CHROMIUM = os.environ.get("PCPT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
REQUIRE_BROWSER = os.environ.get("PCPT_REQUIRE_BROWSER") == "1"
SKIP_REASON = (
    "browser tests need Chromium: install it (apt-get install chromium) "
    "or set PCPT_CHROMIUM=/path/to/chromium"
)
SCREENSHOTS = ROOT / "tests" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    if HAVE_CHROMIUM:
        return
    if REQUIRE_BROWSER:
        raise pytest.UsageError(f"PCPT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(skip)


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


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
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
def page(browser, live_server, request):
    """A fresh browser context per test (no shared cookies), at desktop size."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)


def assert_accessible(page, name: str) -> None:
    """No WCAG 2.0/2.1/2.2 A or AA violations, at desktop width and at 320 px; screenshots both."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    original = page.viewport_size
    problems = []
    for width in (original["width"], 320):
        page.set_viewport_size({"width": width, "height": original["height"]})
        screenshot(page, f"{name}-{width}")
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        for violation in result.response["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:3]
            problems.append(f"{width}px {violation['id']}: {violation['help']} at {targets}")
    page.set_viewport_size(original)
    assert problems == [], f"accessibility violations on {name}:\n" + "\n".join(problems)


def sign_in(page, email: str, password: str = "correct horse battery") -> None:
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
