"""Checking a training credential in Chromium: the public verify page, empty, with a valid
credential, a tampered one and a revoked one, each state checked with axe-core at 1280
and 320 px. The answer is said in words with an icon, never by colour alone.

The gunicorn server signs and checks with the test app's own key (the setting is passed
in its environment), so the credential issued in the test's database verifies there.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_error_summary_focused
from tests.credentials.completed_training import *  # noqa: F403 - fixtures: completed, issued...
from tests.credentials.completed_training import revoke

ANSWERS: dict[str, str] = {}  # the answer's words per state, for the report


@pytest.fixture
def same_signing_key(app, monkeypatch):
    monkeypatch.setenv("CREDENTIAL_SIGNING_KEY", app.config["CREDENTIAL_SIGNING_KEY"])


@pytest.fixture
def page(same_signing_key, new_page):
    return new_page()


def _check(page, text: str, expected: str) -> str:
    page.get_by_label("Paste the credential").fill(text)
    page.get_by_role("button", name="Check the credential").click()
    heading = page.locator("#result-heading")
    expect(heading).to_have_text(f"Result: {expected}")
    icon = "tick" if expected == "Valid" else "cross"
    expect(heading.locator(f"svg.nhsuk-icon--{icon}")).to_have_count(1)
    return page.locator("#result").inner_text()


def test_anyone_checks_a_credential_valid_then_tampered_then_revoked(page, completed, issued):
    page.goto("/credentials/verify")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a training credential")
    assert_accessible(page, "credential-verify-empty")

    page.get_by_role("button", name="Check the credential").click()
    assert_error_summary_focused(
        page,
        "Paste the credential, upload its file or enter its address",
        page.get_by_label("Paste the credential"),
    )
    assert_accessible(page, "credential-verify-nothing-given")

    ANSWERS["valid"] = _check(page, issued.document, "Valid")
    assert "The signature matches the content" in ANSWERS["valid"]
    assert_accessible(page, "credential-verify-valid")

    tampered = issued.document.replace("Training completed", "Training complated", 1)
    ANSWERS["tampered"] = _check(page, tampered, "Tampered")
    assert "changed after it was signed" in ANSWERS["tampered"]
    assert_accessible(page, "credential-verify-tampered")

    revoke(completed)
    ANSWERS["revoked"] = _check(page, issued.document, "Revoked")
    assert "this service revoked the credential on" in ANSWERS["revoked"]
    assert_accessible(page, "credential-verify-revoked")
    print("\n\n".join(f"[{state}]\n{words}" for state, words in ANSWERS.items()))
