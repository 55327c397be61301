"""Two-factor sign-in in Chromium: a supervisor sets it up at their first sign-in, then signs
in with a recovery code; a trainee switches it on from their account page. Every page on
the way is checked with axe at 1280 and 320 px.

The served app needs two-factor of supervisors here (the testing config needs it of no
one). Codes come from pyotp and the key the set-up page shows, at the real time: the
service allows a step of drift either way, so a code made a moment before a step ends is
still accepted."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def staff_need_two_factor(monkeypatch):
    monkeypatch.setenv("PCPT_SERVED_MFA_REQUIRED_ROLES", "admin,lead,supervisor")


@pytest.fixture
def live_server(staff_need_two_factor, live_server):
    """The suite's gunicorn server, started once the setting above is in its environment."""
    return live_server


def _secret(page) -> str:
    return page.locator("#setup-secret").inner_text().replace(" ", "")


def test_a_supervisor_sets_up_two_factor_then_signs_in_with_a_recovery_code(
    page, new_page, make_user
):
    supervisor = make_user(roles=("supervisor",), email="priya.shah@example.org")
    sign_in(page, supervisor.email)
    expect(page).to_have_title("Set up two-factor sign-in to continue - PCPT Portfolio")
    expect(page.get_by_text("Your role in PCPT Portfolio needs two-factor sign-in")).to_be_visible()
    assert_accessible(page, "two-factor-sign-in-setup-start")

    page.get_by_role("button", name="Show my set-up code").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    expect(page.locator("#setup-key")).to_contain_text("PCPT Portfolio: priya.shah@example.org")
    assert_accessible(page, "two-factor-sign-in-setup-qr")
    secret = _secret(page)

    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The code is not correct")
    assert_accessible(page, "two-factor-sign-in-setup-wrong-code")

    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Two-factor sign-in is set up: save your recovery codes"
    )
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "two-factor-recovery-codes")

    # Another browser: the password, then the code page; a wrong code, then a recovery code.
    other = new_page()
    sign_in(other, supervisor.email)
    expect(other).to_have_title("Enter your security code - PCPT Portfolio")
    assert_accessible(other, "two-factor-code")
    other.get_by_label("Security code").fill("123456")
    other.get_by_role("button", name="Continue").click()
    expect(other.locator(".nhsuk-error-summary")).to_contain_text("The code is not correct")
    assert_accessible(other, "two-factor-code-wrong")
    other.get_by_label("Security code").fill(codes[0])
    other.get_by_role("button", name="Continue").click()
    expect(other.get_by_role("heading", level=1)).to_be_visible()
    assert other.url.endswith("/supervision/")
    assert_accessible(other, "two-factor-signed-in-supervisor-home")


def test_a_trainee_switches_two_factor_on_from_the_account_page(page, make_user):
    trainee = make_user(roles=("trainee",))
    sign_in(page, trainee.email)
    assert_accessible(page, "two-factor-trainee-home")  # a password alone signs a trainee in
    page.get_by_role("link", name="Two-factor sign-in").first.click()
    expect(page.locator("#two-factor-status")).to_have_text("Off")
    assert_accessible(page, "account-two-factor-off")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page).to_have_title("Set up two-factor sign-in - PCPT Portfolio")
    assert_accessible(page, "account-two-factor-setup-start")
    page.get_by_role("button", name="Show my set-up code").click()
    assert_accessible(page, "account-two-factor-setup-qr")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(_secret(page)).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Two-factor sign-in is on: save your recovery codes"
    )
    assert_accessible(page, "account-two-factor-recovery-codes")
    page.get_by_role("button", name="I have saved my codes, continue").click()
    expect(page.locator("#two-factor-status")).to_have_text("On")
    assert_accessible(page, "account-two-factor-on")


def test_the_code_page_without_a_sign_in_waiting_says_to_sign_in_again(page):
    page.goto("/auth/two-factor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sign-in was not finished")
    assert_accessible(page, "two-factor-nothing-waiting")
