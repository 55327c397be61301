"""Signing in that runs out while a trainee types, in Chromium: the warning two minutes
before the idle time-out and its "Stay signed in" (WCAG 2.2.1), and a sign-in that expired
mid-sentence giving the text back after signing in again. axe-core checks every new state
at 1280 and 320 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.offline_steps import REFLECTIVE_FORM, server_evidence, status
from tests.browser.test_trainee_journeys import _enrolled_trainee


def session_cookie(page, live_server) -> tuple[dict, dict]:
    """The browser's session cookie and what it holds, read with the app's own key."""
    app = live_server.app
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in page.context.cookies() if c["name"] == name)
    return cookie, serializer.loads(cookie["value"])


def make_session_idle_too_long(page, live_server) -> None:
    """As if the trainee stopped typing longer ago than the idle time-out allows."""
    app = live_server.app
    cookie, data = session_cookie(page, live_server)
    data["seen_at"] = 0
    serializer = app.session_interface.get_signing_serializer(app)
    page.context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def test_text_typed_when_the_sign_in_ran_out_comes_back_after_signing_in_again(
    page, live_server, make_user, make_org, framework
):
    trainee = _enrolled_trainee(make_user, make_org, framework)
    sign_in(page, trainee.email)
    assert_accessible(page, "offline-session-home")
    page.goto(REFLECTIVE_FORM)
    page.get_by_label("Title", exact=True).fill("Controlled drug register check")
    expect(status(page)).to_contain_text("Not saved yet")
    assert_accessible(page, "offline-session-not-saved-yet")

    make_session_idle_too_long(page, live_server)
    page.get_by_label("What happened?").fill("I checked the register with the pharmacist.")
    dialog = page.get_by_role("alertdialog", name="You have been signed out")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("link", name="Sign in again")).to_be_focused()
    expect(status(page)).to_contain_text("You were signed out")
    assert_accessible(page, "offline-session-signed-out-while-typing")

    dialog.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email address").fill(trainee.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(REFLECTIVE_FORM) + "$"))
    expect(page.get_by_label("Title", exact=True)).to_have_value("Controlled drug register check")
    expect(page.get_by_label("What happened?")).to_have_value(
        "I checked the register with the pharmacist."
    )
    expect(status(page)).to_contain_text("We put back what you typed on this device")
    assert_accessible(page, "offline-session-text-put-back")
    assert server_evidence() == []  # not complete yet: kept on the device until it is


def test_the_idle_warning_offers_to_stay_signed_in_and_says_when_time_ran_out(
    page, live_server, make_user, make_org, framework
):
    idle_seconds = live_server.app.config["SESSION_IDLE_MINUTES"] * 60
    page.clock.install()
    trainee = _enrolled_trainee(make_user, make_org, framework)
    sign_in(page, trainee.email)
    assert_accessible(page, "offline-idle-home")
    _, before = session_cookie(page, live_server)

    # Two minutes (and the 30-second step of the server's clock) before the time-out.
    page.clock.fast_forward((idle_seconds - 30 - 120 + 1) * 1000)
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page, "offline-idle-warning")

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="You are still signed in.")).to_have_count(1)
    _, after = session_cookie(page, live_server)
    assert after["seen_at"] > before["seen_at"]  # the server's idle clock started again
    assert_accessible(page, "offline-idle-still-signed-in")

    # Left alone past the time-out, the page says so and offers to sign in again.
    page.clock.fast_forward(idle_seconds * 1000)
    signed_out = page.get_by_role("alertdialog", name="You have been signed out")
    expect(signed_out).to_be_visible()
    expect(signed_out.get_by_role("link", name="Sign in again")).to_be_focused()
    assert_accessible(page, "offline-idle-signed-out")
