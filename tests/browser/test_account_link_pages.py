"""The pages anyone reaches without signing in, from the sign-in page or an e-mailed link
(forgotten password, password reset, invitation, new e-mail address, a link that no
longer works): in Chromium, through gunicorn, each checked with axe at 1280 and 320 px."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.services.accounts import account_mail, email_changes, invitations
from app.services.accounts import users as accounts
from tests.accounts.conftest import link_in, mail_to
from tests.browser.conftest import _wait_for, sign_in
from tests.browser.page_checks import assert_accessible

NEW_PASSWORD = "pebble lighthouse saffron"


def _choose_password(page, password: str) -> None:
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_role("button", name="Change password").or_(
        page.get_by_role("button", name="Set password")
    ).click()


def test_forgotten_password_through_to_a_new_password(page, app, make_user):
    user = make_user(email="reset.me@example.org")
    page.goto("/auth/login")
    assert_accessible(page, "sign-in-with-reset-link")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page, "forgotten-password")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page, "forgotten-password-error")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "forgotten-password-sent")
    # The e-mail goes once the answer has been sent.
    _wait_for(lambda: len(mail_to(app, user.email)) == 1, "the reset e-mail")
    path = link_in(mail_to(app, user.email)[0])

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page, "reset-password")
    _choose_password(page, "too short")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("at least 12 characters")
    assert_accessible(page, "reset-password-error")
    _choose_password(page, NEW_PASSWORD)
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Your password has been changed"
    )
    assert_accessible(page, "sign-in-after-reset")

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_accessible(page, "reset-link-used")


def test_invitation_and_new_email_pages(page, app, make_user):
    admin = make_user(("admin",))
    person = accounts.create_user(
        email="invited@example.org", name="Ivy Invited", roles=["trainee"], password=None
    )
    pending = invitations.invite(person, actor=None)
    db.session.commit()
    invitations.deliver([pending])
    page.goto(link_in(mail_to(app, "invited@example.org")[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    assert_accessible(page, "invitation")
    _choose_password(page, NEW_PASSWORD)
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your password is set")
    assert_accessible(page, "sign-in-after-invitation")

    db.session.commit()  # a fresh transaction: the browser's requests wrote since
    messages = email_changes.request_change(
        accounts.find_user_by_email("invited@example.org"), "ivy.new@example.org", actor=admin
    )
    db.session.commit()
    account_mail.send(messages)
    page.goto(link_in(mail_to(app, "ivy.new@example.org")[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your new email address")
    assert_accessible(page, "confirm-new-email")

    page.goto("/auth/invitation/not-a-real-link")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    assert_accessible(page, "link-not-valid")


def test_the_admins_signing_in_section_and_email_change_page(page, app, make_user, make_org):
    """A long address (as the demo's generated lead has) wraps at 320 px."""
    admin = make_user(("admin",), email="admin@example.org")
    person = accounts.create_user(
        email="lead-region-north-east@generated.example.org",
        name="Rowan Regional-Lead",
        roles=["lead"],
        password=None,
        organisation=make_org("North East and Yorkshire region", "region"),
    )
    invitations.invite(person, actor=admin)
    db.session.commit()
    sign_in(page, admin.email)
    assert_accessible(page, "admin-home-signed-in")
    page.goto(f"/admin/users/{person.id}")
    expect(page.locator("#account-invitation")).to_contain_text("The link works until")
    assert_accessible(page, "admin-user-signing-in")
    page.get_by_role("link", name="Change email address").click()
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the new email address")
    assert_accessible(page, "admin-user-email-error")
    page.get_by_label("New email address").fill("rowan@example.org")
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.locator("#email-change-pending")).to_contain_text("rowan@example.org")
    assert_accessible(page, "admin-user-email-pending")
