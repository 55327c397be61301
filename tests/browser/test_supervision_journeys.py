"""The whole supervision loop in Chromium, two people in two browsers, axe on every page.

The trainee logs a reflective account and a mini-CEX with a PDF, linked to competencies,
and submits both; the supervisor asks for changes to one and accepts the other; the
trainee changes and resubmits; the supervisor accepts it and signs the competency off,
re-entering their password on the way because their sign-in is no longer fresh.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from app.services.supervision import enrolments
from tests.browser.conftest import (
    assert_accessible,
    assert_error_summary_focused,
    make_login_stale,
    sign_in,
)
from tests.browser.evidence_steps import (
    attach,
    choose_type,
    fill_mini_cex,
    fill_reflective_account,
    link_competency,
    pdf_file,
)

REFLECTION = "Repeat inhaler ordering"
MINI_CEX = "Inhaler consultation, observed"


def test_evidence_is_reviewed_changed_accepted_and_signed_off(
    new_page, live_server, make_user, make_org, framework, tmp_path
):
    practice = make_org("Harbour Street Surgery")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000110", name="Priya Shah")
    trainee = make_user(roles=("trainee",), org=practice, name="Robin Hale")
    enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()

    # --- The trainee logs a reflective account ------------------------------------------
    learner = new_page()
    sign_in(learner, trainee.email)
    assert_accessible(learner, "journey-trainee-home")
    choose_type(
        learner,
        "Reflective account",
        check=lambda: assert_accessible(learner, "journey-trainee-choose-type"),
    )
    assert_accessible(learner, "journey-trainee-add-reflective-account")
    learner.get_by_role("button", name="Save as draft").click()
    assert_error_summary_focused(learner, "Enter title", learner.get_by_label("Title", exact=True))
    assert_accessible(learner, "journey-trainee-add-evidence-errors")

    fill_reflective_account(learner, REFLECTION, now_what="I order a week early.")
    link_competency(learner, "D1.1", "I agreed the order with the pharmacist")
    learner.get_by_role("button", name="Save as draft").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text(REFLECTION)
    expect(learner.locator("#evidence-status")).to_contain_text("Draft")
    assert_accessible(learner, "journey-trainee-reflective-draft")
    learner.get_by_role("button", name="Submit version 1 for review").click()
    expect(learner.locator("#evidence-status")).to_contain_text("Waiting for review")

    # --- ... and a mini-CEX, with the signed form attached --------------------------------
    learner.goto("/portfolio/")
    choose_type(learner, "Mini clinical evaluation exercise (mini-CEX)")
    fill_mini_cex(learner, MINI_CEX)
    link_competency(learner, "D1.1", "The pharmacist watched me hand over")
    link_competency(learner, "D3.1")
    attach(learner, pdf_file(tmp_path, "signed mini-CEX form.pdf"))
    assert_accessible(learner, "journey-trainee-add-mini-cex")
    learner.get_by_role("button", name="Save as draft").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text(MINI_CEX)
    expect(learner.get_by_role("link", name="signed mini-CEX form.pdf", exact=True)).to_be_visible()
    expect(learner.locator("main")).to_contain_text("4 - meets what is expected")
    assert_accessible(learner, "journey-trainee-mini-cex-draft")
    learner.get_by_role("button", name="Submit version 1 for review").click()
    expect(learner.locator("#evidence-status")).to_contain_text("Waiting for review")

    # --- The supervisor asks for changes to one and accepts the other --------------------
    reviewer = new_page()
    sign_in(reviewer, supervisor.email)
    queue = reviewer.locator("#review-queue")
    expect(queue.locator("tbody tr")).to_have_count(2)
    assert_accessible(reviewer, "journey-supervisor-queue")

    queue.get_by_role("link", name=REFLECTION).click()
    expect(reviewer.locator("#evidence-status")).to_contain_text("Waiting for review")
    assert_accessible(reviewer, "journey-supervisor-review")
    reviewer.get_by_label("Ask the trainee to make changes").check()
    reviewer.get_by_role("button", name="Save decision").click()
    comment = reviewer.get_by_label("Comments for the trainee")
    assert_error_summary_focused(reviewer, "Say what the trainee needs to change", comment)
    assert_accessible(reviewer, "journey-supervisor-review-errors")
    comment.fill("Say what you will do if the order is late again.")
    reviewer.get_by_role("button", name="Save decision").click()
    expect(reviewer.locator(".nhsuk-notification-banner")).to_contain_text("sent back for changes")

    _accept(reviewer, MINI_CEX)

    # --- The trainee changes the reflection and resubmits it -----------------------------
    learner.goto("/portfolio/")
    expect(learner.get_by_role("link", name="Notifications (2 unread)")).to_be_visible()
    learner.get_by_role("link", name="Notifications (2 unread)").click()
    expect(learner.locator("main")).to_contain_text(f"asked for changes to “{REFLECTION}”")
    assert_accessible(learner, "journey-trainee-notifications")
    learner.goto("/portfolio/evidence")
    assert_accessible(learner, "journey-trainee-evidence-list")
    learner.get_by_role("link", name=REFLECTION).click()
    expect(learner.locator("#evidence-status")).to_contain_text("Changes requested")
    expect(learner.locator("main")).to_contain_text("Say what you will do if the order is late")
    assert_accessible(learner, "journey-trainee-changes-requested")
    learner.get_by_role("link", name="Change this evidence").click()
    assert_accessible(learner, "journey-trainee-change-evidence")
    learner.get_by_label("Now what? What will you do differently or next?").fill(
        "I order a week early, and ring the pharmacy the day a delivery is late."
    )
    learner.get_by_role("button", name="Save as a new version").click()
    learner.get_by_role("button", name="Submit version 2 for review").click()
    expect(learner.locator("#evidence-status")).to_contain_text("Waiting for review")

    # --- The supervisor accepts version 2 and signs D1.1 off -----------------------------
    reviewer.goto("/supervision/")
    expect(reviewer.locator("#review-queue")).to_contain_text(f"{REFLECTION} (version 2)")
    _accept(reviewer, REFLECTION)

    reviewer.get_by_role("link", name="Robin Hale").click()
    row = reviewer.locator('tr[data-competency="D1.1"]')
    expect(row).to_contain_text("Ready for sign-off")
    assert_accessible(reviewer, "journey-supervisor-record")

    make_login_stale(reviewer, live_server)
    row.get_by_role("link", name="Sign off D1.1").click()
    expect(reviewer).to_have_url(re.compile(r"/auth/confirm\?next="))
    expect(reviewer.locator(".nhsuk-notification-banner")).to_contain_text(
        "confirm your password to continue"
    )
    assert_accessible(reviewer, "journey-supervisor-confirm-password")
    password = reviewer.get_by_label("Password")
    password.fill("not my password")
    reviewer.get_by_role("button", name="Continue").click()
    assert_error_summary_focused(reviewer, "The password is not correct", password)
    assert_accessible(reviewer, "journey-supervisor-confirm-password-errors")
    password.fill("correct horse battery")
    reviewer.get_by_role("button", name="Continue").click()

    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Sign off D1.1")
    expect(reviewer.locator("#relied-on")).to_contain_text(REFLECTION)
    expect(reviewer.locator("#relied-on")).to_contain_text(MINI_CEX)
    assert_accessible(reviewer, "journey-supervisor-sign-off")
    reviewer.get_by_label("Competent", exact=True).check()
    reviewer.get_by_label("Your comments on the trainee's competence").fill(
        "Works well with the whole practice team and hands over clearly."
    )
    reviewer.get_by_role("button", name="Sign off D1.1").click()
    expect(reviewer.locator(".nhsuk-notification-banner")).to_contain_text("D1.1 is signed off")
    expect(reviewer.locator("main")).to_contain_text("Priya Shah")
    assert_accessible(reviewer, "journey-supervisor-sign-off-record")

    # --- The trainee sees it in words, not only in colour ---------------------------------
    learner.goto("/portfolio/")
    task = learner.locator(".nhsuk-task-list__item", has_text="D1.1 Contributing")
    expect(task.locator(".nhsuk-task-list__status")).to_have_text("Signed off")
    assert_accessible(learner, "journey-trainee-home-signed-off")
    task.get_by_role("link").click()
    expect(learner.locator("main .nhsuk-tag").first).to_have_text("Signed off")
    assert_accessible(learner, "journey-trainee-competency-signed-off")


def _accept(reviewer, title: str) -> None:
    reviewer.goto("/supervision/")
    reviewer.locator("#review-queue").get_by_role("link", name=title).click()
    reviewer.get_by_label("Accept this evidence").check()
    reviewer.get_by_role("button", name="Save decision").click()
    expect(reviewer.locator(".nhsuk-notification-banner")).to_contain_text("accepted")
