"""A real OpenID Connect provider for the single sign-on tests, on a free loopback port.

`provider.mjs` runs panva's `oidc-provider` (npm) with Node: discovery, its own signing
keys, the code flow with PKCE, and its own login and consent pages, which `Provider.
log_in` fills in over HTTP as a person would. Its people are `accounts.json`.

Without Node and npm these tests are skipped with one line naming the missing tool; CI
sets PCPT_REQUIRE_NODE=1 so a missing tool fails instead (as PCPT_REQUIRE_BROWSER does
for Chromium). The npm packages are installed by `npm ci` once, and again only when
package-lock.json changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from app.auth import single_sign_on
from config import TestingConfig

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")
NPM = shutil.which("npm")
MISSING = [name for name, path in (("node", NODE), ("npm", NPM)) if path is None]
REQUIRE_NODE = os.environ.get("PCPT_REQUIRE_NODE") == "1"
SKIP_REASON = (
    f"single sign-on tests need {' and '.join(MISSING) or 'node and npm'} to run a real "
    "OpenID provider (tests/oidc/provider.mjs): install Node.js 20.19 or later"
)
CLIENT_ID = "pcpt-portfolio-tests"
CLIENT_SECRET = "a-test-only-client-secret-0123456789"
CALLBACK = TestingConfig.BASE_URL + "/auth/sso/callback"
STARTUP_SECONDS = 30


def pytest_collection_modifyitems(config, items):
    if MISSING and REQUIRE_NODE and any("oidc" in item.path.parts for item in items):
        raise pytest.UsageError(f"PCPT_REQUIRE_NODE=1 but {SKIP_REASON}")


@dataclass
class Provider:
    issuer: str

    @property
    def settings(self) -> dict:
        """The app's configuration for this provider."""
        return {
            "OIDC_DISCOVERY_URL": f"{self.issuer}/.well-known/openid-configuration",
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_LABEL": "NHSmail",
        }

    def log_in(self, authorize_url: str, login: str) -> str:
        """Sign in at the provider as `login` (a name in accounts.json) and consent, in a
        browser of its own; the address the provider then sends the browser back to."""
        assert authorize_url.startswith(self.issuer), authorize_url
        browser = requests.Session()
        url = authorize_url
        for _ in range(10):
            answer = browser.get(url, allow_redirects=False, timeout=10)
            while answer.status_code in (302, 303):
                url = urljoin(url, answer.headers["Location"])
                if url.startswith(CALLBACK):
                    return url
                answer = browser.get(url, allow_redirects=False, timeout=10)
            assert answer.status_code == 200, f"{answer.status_code} from {url}: {answer.text}"
            action, fields = _the_form(answer.text)
            fields.update({"login": login, "password": "any"} if "login" in fields else {})
            answer = browser.post(urljoin(url, action), data=fields, allow_redirects=False)
            assert answer.status_code in (302, 303), answer.text
            url = urljoin(url, answer.headers["Location"])
            if url.startswith(CALLBACK):
                return url
        raise AssertionError("the provider never sent the browser back")


def _the_form(page: str) -> tuple[str, dict]:
    """The provider's login or consent form: its action and its fields."""
    form = BeautifulSoup(page, "html.parser").find("form")
    assert form is not None, page
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    return form["action"], fields


def _npm_ci() -> None:
    """Install the provider's packages exactly as locked, unless already installed."""
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = HERE / "node_modules" / ".pcpt-installed"
    digest = hashlib.sha256(lock).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    done = subprocess.run(
        [NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"npm ci in {HERE} failed:\n{done.stdout}\n{done.stderr}")
    stamp.write_text(digest)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[Provider]:
    if MISSING:
        if REQUIRE_NODE:  # a test elsewhere (tests/browser/) that uses the provider
            pytest.fail(f"PCPT_REQUIRE_NODE=1 but {SKIP_REASON}")
        pytest.skip(SKIP_REASON)
    _npm_ci()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    env = {
        **os.environ,
        "PCPT_OIDC_CLIENT_ID": CLIENT_ID,
        "PCPT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "PCPT_OIDC_REDIRECT_URI": CALLBACK,
    }
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [NODE, "provider.mjs"], cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=errors
        )
    try:
        yield Provider(_issuer_from(process, log))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def _issuer_from(process: subprocess.Popen, log: Path) -> str:
    """The first line the provider prints, once it listens: {"issuer": ...}."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            if line:
                issuer = json.loads(line)["issuer"]
                assert urlsplit(issuer).hostname == "127.0.0.1"
                return issuer
    process.kill()
    process.wait()
    pytest.fail(f"the OpenID provider did not start:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def sso_app(app, oidc_provider: Provider):
    """The test's app with single sign-on through the provider switched on."""
    app.config.update(oidc_provider.settings)
    single_sign_on.init_app(app)
    return app
