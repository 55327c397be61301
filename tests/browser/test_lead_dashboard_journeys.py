"""The cohort dashboard and a trainee's summary in Chromium, with axe-core on each page.

(The dashboard's other tests are in tests/lead/; this one lives here for the session's
one browser, a fixture of tests/browser/.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models.base import utcnow
from app.services import enrolments, organisations
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def lead(make_user, make_org, framework):
    """A hub lead; two PCNs with a practice each; a cohort of two trainees."""
    hub = make_org("North Coast Training Hub", "training-hub")
    harbour = make_org("Harbour PCN", "pcn", hub)
    cliff = make_org("Clifftop PCN", "pcn", hub)
    cohort = organisations.create_cohort("Spring intake", hub, framework_id=framework.id)
    supervisor = make_user(roles=("supervisor",), org=harbour, gphc="2034567", name="Sam Okafor")
    started = utcnow().date() - timedelta(days=200)
    for name, org in (("Ada Harbour", harbour), ("Cal Cliff", cliff)):
        trainee = make_user(
            roles=("trainee",), org=make_org(f"{name} Surgery", "practice", org), name=name
        )
        enrolments.enrol(
            trainee, framework, supervisor=supervisor, cohort=cohort, started_on=started
        )
    db.session.commit()
    return make_user(roles=("lead",), org=hub, name="Leigh Lead")


def test_a_lead_filters_the_dashboard_and_opens_a_summary(page, lead):
    sign_in(page, lead.email)
    page.goto("/lead/dashboard")
    expect(page.get_by_role("heading", name="Cohort dashboard", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="Competencies signed off in Spring intake, by month")
    expect(chart).to_be_visible()
    assert_accessible(page, "lead-dashboard")

    page.get_by_label("Organisation").select_option(label="- Harbour PCN")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#trainee-count")).to_contain_text("1 trainee matches the filters")
    page.get_by_role("link", name="Ada Harbour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress summary: Ada Harbour")
    assert_accessible(page, "lead-trainee-summary")


def test_filter_errors_are_announced_accessibly(page, lead):
    sign_in(page, lead.email)
    page.goto("/lead/dashboard?cohort=99999")
    expect(page).to_have_title("Error: Cohort dashboard - PCPT Portfolio")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a cohort from the list")
    assert_accessible(page, "lead-dashboard-errors")
