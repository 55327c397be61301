"""Journeys through the foundation pages in Chromium, with axe-core on every page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from app.services.supervision import enrolments
from tests.browser.conftest import assert_accessible, sign_in


def test_sign_in_page_is_accessible_and_errors_are_announced(page, make_user):
    page.goto("/auth/login")
    expect(page).to_have_title("Sign in - PCPT Portfolio")
    assert_accessible(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Error: Sign in - PCPT Portfolio")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible(page, "sign-in-errors")


def test_trainee_sees_their_competencies_as_a_task_list(page, make_user, make_org, framework):
    practice = make_org("Harbour Street Surgery")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000100")
    trainee = make_user(roles=("trainee",), org=practice, name="Taylor Reed")
    enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    sign_in(page, trainee.email)
    expect(page.get_by_role("heading", name="My portfolio", level=1)).to_be_visible()
    expect(page.locator(".nhsuk-task-list__item").first).to_contain_text("Not started")
    assert_accessible(page, "trainee-home")
    page.get_by_role("link", name=re.compile(framework.title)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(framework.title)
    assert_accessible(page, "framework-browser")


def test_admin_creates_a_user_and_assigns_a_supervisor(page, make_user, make_org, framework):
    hub = make_org("North Hub", "training-hub")
    admin = make_user(roles=("admin",), org=hub, email="admin@example.org")
    make_user(roles=("supervisor",), org=hub, gphc="2000101", name="Sam Okafor")
    sign_in(page, admin.email)
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    assert_accessible(page, "admin-home")

    page.goto("/admin/users/new")
    assert_accessible(page, "admin-new-user")
    page.get_by_label("Email address").fill("new.trainee@example.org")
    page.get_by_label("Full name").fill("Nia Trainee")
    page.get_by_label("Trainee pharmacy technician").check()
    page.get_by_label("Organisation").select_option(label="North Hub")
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.locator("main")).to_contain_text("Nia Trainee")
    assert_accessible(page, "admin-user-detail")

    versions = page.get_by_label("Framework version")
    versions.select_option(
        value=versions.locator("option", has_text="National Competency").get_attribute("value")
    )
    supervisor = page.get_by_label("Clinical supervisor")
    option = supervisor.locator("option", has_text="Sam Okafor").get_attribute("value")
    supervisor.select_option(value=option)
    page.locator("input[name='started_on[day]']").fill("1")
    page.locator("input[name='started_on[month]']").fill("9")
    page.locator("input[name='started_on[year]']").fill("2026")
    page.get_by_role("button", name=re.compile("[Ee]nrol")).click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Nia Trainee is enrolled, supervised by Sam Okafor"
    )
    expect(page.locator("#clinical-supervisor")).to_have_text("Sam Okafor")
    assert_accessible(page, "admin-enrolment")
