"""The account pages in Chromium: a lead makes an API token, uses it, and revokes it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in


def test_a_lead_makes_uses_and_revokes_an_api_token(page, make_user, make_org, live_server):
    hub = make_org("North Hub", "training-hub")
    lead = make_user(roles=("lead",), org=hub)
    sign_in(page, lead.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    assert_accessible(page, "lead-home-no-cohorts")
    page.get_by_role("link", name="API tokens").click()
    expect(page).to_have_title("API tokens - PCPT Portfolio")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    assert_accessible(page, "account-tokens")

    page.get_by_label("How many days it should last").fill("0")
    page.get_by_role("button", name="Make token").click()
    expect(page).to_have_title("Error: API tokens - PCPT Portfolio")
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    assert_accessible(page, "account-tokens-errors")

    page.get_by_label("What the token is for").fill("Hub reporting spreadsheet")
    page.get_by_label("How many days it should last").fill("30")
    page.get_by_role("button", name="Make token").click()
    token = page.get_by_label("Your new token").input_value()
    assert re.fullmatch(r"pcpt_[\w-]{40,}", token)
    expect(page.locator("#tokens")).to_contain_text("Active")
    assert_accessible(page, "account-token-made")

    api = page.context.request
    me = api.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == lead.email

    page.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.locator("#tokens")).to_contain_text("Revoked")
    assert_accessible(page, "account-token-revoked")
    gone = api.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status == 401
