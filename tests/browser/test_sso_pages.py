"""Single sign-on's pages in Chromium, served by gunicorn with a real OpenID provider
configured (tests/oidc/): the sign-in page's button, the refusal page, and the
administrator's choice of password sign-in for an organisation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models.identities import UserIdentity
from tests.browser.conftest import assert_accessible
from tests.conftest import DEFAULT_PASSWORD
from tests.oidc.conftest import oidc_provider  # noqa: F401 - the provider the server uses


@pytest.fixture
def sso_switched_on(monkeypatch, oidc_provider):  # noqa: F811
    """The served app reads its configuration from the environment when it starts."""
    for name, value in oidc_provider.settings.items():
        monkeypatch.setenv(name, value)


def test_single_sign_on_pages_and_switching_password_sign_in_off_for_a_hub(
    sso_switched_on,
    oidc_provider,  # noqa: F811
    new_page,
    make_user,
    make_org,
):
    """One journey, so one server: the button, a refusal, the administrator's choice, and
    confirming it is you through the provider."""
    hub = make_org("North Hub", "training-hub")
    admin = make_user(("admin",))
    db.session.add(UserIdentity(user=admin, issuer=oidc_provider.issuer, subject="admin"))
    db.session.commit()
    page = new_page()
    page.goto("/auth/sso/callback?code=planted&state=not-from-this-browser")
    expect(page.get_by_role("heading", level=1)).to_have_text("You could not sign in with NHSmail")
    expect(page.get_by_text("did not match one started from this browser")).to_be_visible()
    assert_accessible(page, "sso-refused")

    page.goto(f"/auth/login?next=/admin/organisations/{hub.id}/edit")
    expect(page.get_by_role("button", name="Sign in with NHSmail")).to_be_visible()
    expect(page.get_by_role("heading", name="Or sign in with your email address")).to_be_visible()
    assert_accessible(page, "sign-in-with-sso")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Signing in")).to_be_visible()
    assert_accessible(page, "organisation-sign-in")

    page.get_by_label("Only with NHSmail").check()
    page.get_by_role("button", name="Save how people sign in").click()
    expect(page.get_by_text("now sign in only with NHSmail")).to_be_visible()
    expect(page.get_by_label("Only with NHSmail")).to_be_checked()
    assert_accessible(page, "organisation-sign-in-saved")

    # Confirming it is you through the provider, for a person whose account is linked.
    page.goto("/auth/sso/confirm")
    expect(page.get_by_role("button", name="Continue to NHSmail")).to_be_visible()
    assert_accessible(page, "sso-confirm")
