"""The enrolment lifecycle pages in Chromium, through gunicorn, each checked with axe at
1280 and 320 px: a lead pauses a trainee's training from the enrolment page (a refused
form first), the trainee sees the paused banner on their home, and the withdraw page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from app.extensions import db
from app.services.clock import uk_today
from app.services.supervision import enrolments
from tests.browser.conftest import sign_in
from tests.browser.page_checks import assert_accessible


def test_a_lead_pauses_training_and_the_trainee_sees_it(new_page, make_user, make_org, framework):
    hub = make_org("North Hub", "training-hub")
    practice = make_org("Riverside Practice", "practice", hub)
    supervisor = make_user(roles=("supervisor",), name="Sam First", org=practice, gphc="2000001")
    trainee = make_user(roles=("trainee",), name="Tom Trainee", org=practice)
    lead = make_user(roles=("lead",), name="Lee Lead", org=hub)
    enrolments.enrol(
        trainee, framework, supervisor=supervisor, started_on=uk_today() - timedelta(days=60)
    )
    db.session.commit()

    page = new_page()
    sign_in(page, lead.email)
    assert_accessible(page, "enrolment-lead-home")
    page.goto(f"/admin/trainees/{trainee.id}/enrolment")
    expect(page.locator("#enrolment-status-value")).to_contain_text("Active")
    assert_accessible(page, "enrolment-active")

    page.get_by_role("link", name="Pause training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pause training")
    assert_accessible(page, "enrolment-pause")
    page.get_by_role("button", name="Pause the training").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter why the training is paused")
    assert_accessible(page, "enrolment-pause-error")
    page.get_by_label("Why the training is paused").fill("Parental leave")
    page.get_by_role("button", name="Pause the training").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("training is paused")
    expect(page.locator("#enrolment-status-value")).to_contain_text("Paused")
    expect(page.locator("#pause-history")).to_contain_text("Parental leave")
    assert_accessible(page, "enrolment-paused")

    page.get_by_role("link", name="Resume training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resume training")
    assert_accessible(page, "enrolment-resume")
    page.goto(f"/admin/trainees/{trainee.id}/enrolment")
    page.get_by_role("link", name="Withdraw trainee").click()
    expect(page.locator("main")).to_contain_text("Withdrawing is final")
    assert_accessible(page, "enrolment-withdraw")

    own = new_page()
    sign_in(own, trainee.email)
    expect(own.locator("#enrolment-banner")).to_contain_text("Your training is paused")
    assert_accessible(own, "trainee-home-paused")
