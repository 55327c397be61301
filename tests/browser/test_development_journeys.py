"""The development plan in Chromium, axe on every page at 1280 and 320 px: the trainee
rates their learning needs and adds an objective, the supervisor comments, reviews the
objective and records the stage, and a lead reads the plan."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.services.supervision import enrolments
from tests.browser.conftest import assert_accessible, assert_error_summary_focused, sign_in


def test_learning_needs_objectives_and_stage_from_both_sides(
    new_page, live_server, make_user, make_org, framework
):
    hub = make_org("Coast training hub", "training-hub")
    practice = make_org("Quay Street Surgery", "practice", hub)
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000120", name="Nia Rees")
    trainee = make_user(roles=("trainee",), org=practice, name="Jo Marsh")
    lead = make_user(roles=("lead",), org=hub, name="Lou Grant")
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    enrolment_id = enrolment.id

    # --- The trainee rates every competency, after being told what is missing ----------------
    learner = new_page()
    sign_in(learner, trainee.email)
    assert_accessible(learner, "journey-development-trainee-home")
    learner.get_by_role("link", name="Your development plan").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("My development plan")
    assert_accessible(learner, "journey-development-plan-empty")
    learner.get_by_role("link", name="Rate your learning needs").click()
    assert_accessible(learner, "journey-learning-needs")
    groups = learner.locator("fieldset")
    first_radio = groups.nth(0).get_by_role("radio").first
    first_radio.check()
    learner.get_by_role("button", name="Save your ratings").click()
    second_legend = groups.nth(1).locator("legend").inner_text().strip()
    assert_error_summary_focused(
        learner,
        f"Choose how you rate yourself for {second_legend}",
        groups.nth(1).get_by_role("radio").first,
    )
    assert_accessible(learner, "journey-learning-needs-errors")
    competencies = groups.count()
    for index in range(competencies):
        groups.nth(index).get_by_role("radio").first.check()
    learner.get_by_role("button", name="Save your ratings").click()
    expect(learner.locator("#needs-ratings tbody tr")).to_have_count(competencies)

    # --- ... and adds an objective, after a date in the past is refused ----------------------
    learner.get_by_role("link", name="Add an objective").click()
    # The new page, not the plan still on screen, is the one checked and filled in.
    expect(learner.get_by_role("heading", level=1)).to_have_text("Add an objective")
    assert_accessible(learner, "journey-objective-new")
    learner.get_by_label("What do you want to achieve?").fill("Run the inhaler clinic alone.")
    learner.get_by_label("Day").fill("1")
    learner.get_by_label("Month").fill("1")
    learner.get_by_label("Year").fill("2020")
    learner.get_by_role("checkbox").first.check()
    learner.get_by_role("button", name="Add the objective").click()
    assert_error_summary_focused(
        learner, "The target date must be today or in the future", learner.get_by_label("Day")
    )
    assert_accessible(learner, "journey-objective-new-errors")
    learner.get_by_label("Year").fill("2099")
    learner.get_by_role("button", name="Add the objective").click()
    expect(learner.locator(".nhsuk-card .nhsuk-tag")).to_have_text("Open")
    assert_accessible(learner, "journey-development-plan")

    # --- The supervisor comments, reviews and records the stage ------------------------------
    reviewer = new_page()
    sign_in(reviewer, supervisor.email)
    assert_accessible(reviewer, "journey-development-supervisor-home")
    reviewer.goto(f"/supervision/enrolments/{enrolment_id}")
    assert_accessible(reviewer, "journey-development-supervision-record")
    reviewer.locator("#development-link a").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Development plan")
    assert_accessible(reviewer, "journey-supervisor-development")
    reviewer.get_by_role("link", name="Comment on the learning needs analysis").click()
    comment = reviewer.get_by_label("Your comment on the trainee's learning needs")
    reviewer.get_by_role("button", name="Save your comment").click()
    assert_error_summary_focused(
        reviewer, "Enter your comment on the trainee's learning needs", comment
    )
    assert_accessible(reviewer, "journey-learning-needs-comment-errors")
    comment.fill("Start with the clinic competencies.")
    reviewer.get_by_role("button", name="Save your comment").click()
    expect(reviewer.locator("#needs-comment")).to_have_text("Start with the clinic competencies.")

    reviewer.get_by_role("link", name="Review the objective due").click()
    assert_accessible(reviewer, "journey-objective-review")
    reviewer.get_by_label("Not yet: it continues").check()
    reviewer.get_by_label("Your comment on the trainee's progress").fill("One more clinic.")
    reviewer.get_by_role("button", name="Save your review").click()
    expect(reviewer.locator(".nhsuk-card")).to_contain_text("Continuing. One more clinic.")

    reviewer.get_by_role("link", name="Record the stage the trainee has begun").click()
    assert_accessible(reviewer, "journey-stage-new")
    reviewer.get_by_label("Entry").check()
    reviewer.get_by_role("button", name="Record the stage").click()
    assert_error_summary_focused(
        reviewer, "Enter the date the stage began", reviewer.get_by_label("Day")
    )
    assert_accessible(reviewer, "journey-stage-new-errors")
    started = enrolment.started_on
    reviewer.get_by_label("Day").fill(str(started.day))
    reviewer.get_by_label("Month").fill(str(started.month))
    reviewer.get_by_label("Year").fill(str(started.year))
    reviewer.get_by_role("button", name="Record the stage").click()
    expect(reviewer.locator("#current-stage")).to_contain_text("Entry stage")

    # --- A lead over the trainee reads the plan ---------------------------------------------
    overseer = new_page()
    sign_in(overseer, lead.email)
    assert_accessible(overseer, "journey-development-lead-home")
    overseer.goto(f"/supervision/enrolments/{enrolment_id}/development")
    expect(overseer.locator("#current-stage")).to_contain_text("Entry stage")
    expect(overseer.get_by_role("link", name="Review the objective due")).to_have_count(0)
    assert_accessible(overseer, "journey-lead-development")
