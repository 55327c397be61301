"""An assessment request in Chromium, axe on every page at 1280 and 320 px: the trainee
asks an assessor from a draft, the assessor opens the e-mailed link, confirms who they
are with the e-mailed code (one wrong first), completes the form with the declaration,
is refused a second time, and the trainee sees the locked part marked as the assessor's."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.services.portfolio import evidence as evidence_service
from app.services.supervision import enrolments
from tests.assessments.conftest import ASSESSOR, code_in, link_in, mail_to
from tests.browser.conftest import assert_accessible, assert_error_summary_focused, sign_in
from tests.evidence.conftest import TODAY, valid_answers


def test_an_assessment_from_request_to_the_locked_record(
    app, new_page, live_server, make_user, framework
):
    supervisor = make_user(roles=("supervisor",), gphc="2000130", name="Nia Rees")
    trainee = make_user(roles=("trainee",), name="Jo Marsh")
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    code = framework.domains[0].competencies[0].code
    item = evidence_service.create_draft(
        enrolment,
        "work-based-observation",
        valid_answers("work-based-observation", title="Inhaler check", completed_by="assessor"),
        [(code, "")],
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    item_id = item.id

    # --- The trainee asks an assessor ---------------------------------------------------------
    learner = new_page()
    sign_in(learner, trainee.email)
    assert_accessible(learner, "journey-ticket-home")
    learner.goto(f"/portfolio/evidence/{item_id}")
    assert_accessible(learner, "journey-ticket-evidence")
    learner.get_by_role("link", name="Ask an assessor to complete this").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Ask an assessor to complete this")
    assert_accessible(learner, "journey-ticket-ask")
    learner.get_by_role("button", name="Send the request").click()
    assert_error_summary_focused(
        learner, "Enter the assessor's full name", learner.get_by_label("Assessor's full name")
    )
    assert_accessible(learner, "journey-ticket-ask-errors")
    learner.get_by_label("Assessor's full name").fill("Ana Assessor")
    learner.get_by_label("Assessor's email address").fill(ASSESSOR)
    learner.get_by_label("Nurse", exact=True).check()
    learner.get_by_role("button", name="Send the request").click()
    expect(learner.get_by_text("Waiting for the assessor")).to_be_visible()
    assert_accessible(learner, "journey-ticket-sent")

    # --- The assessor opens the link, confirms who they are, completes ------------------------
    path = link_in(mail_to(app, ASSESSOR)[0])
    assessor = new_page()
    assessor.goto(path)
    expect(assessor.get_by_role("heading", level=1)).to_have_text(
        "Complete an assessment for Jo Marsh"
    )
    assert_accessible(assessor, "journey-ticket-start")
    assessor.get_by_role("button", name="Email me a code").click()
    assert_error_summary_focused(
        assessor,
        "Enter your NMC number",
        assessor.get_by_label("Your professional registration number"),
    )
    assert_accessible(assessor, "journey-ticket-start-errors")
    assessor.get_by_label("Your professional registration number").fill("12A3456E")
    assessor.get_by_role("button", name="Email me a code").click()
    expect(assessor.get_by_role("heading", level=1)).to_have_text("Enter the code we emailed you")
    assert_accessible(assessor, "journey-ticket-code")
    right = code_in(mail_to(app, ASSESSOR)[-1])
    assessor.get_by_label("Code from the email").fill("000000" if right != "000000" else "111111")
    assessor.get_by_role("button", name="Continue").click()
    expect(assessor.locator(".nhsuk-error-summary")).to_contain_text("That code is not right")
    assert_accessible(assessor, "journey-ticket-code-wrong")
    assessor.get_by_label("Code from the email").fill(right)
    assessor.get_by_role("button", name="Continue").click()
    expect(assessor.get_by_role("heading", level=1)).to_have_text("Your assessment of Jo Marsh")
    assert_accessible(assessor, "journey-ticket-form")
    assessor.get_by_label("What went well").fill("A clear, kind explanation.")
    assessor.get_by_label("Suggestions for development").fill("Check understanding.")
    assessor.get_by_label("At the level expected").check()
    assessor.get_by_role("button", name="Submit my assessment").click()
    expect(assessor.locator(".nhsuk-error-summary")).to_contain_text("Confirm the declaration")
    assert_accessible(assessor, "journey-ticket-form-errors")
    assessor.get_by_label("I declare that").check()
    assessor.get_by_role("button", name="Submit my assessment").click()
    expect(assessor.get_by_role("heading", level=1)).to_have_text("Assessment submitted")
    assert_accessible(assessor, "journey-ticket-done")
    assessor.goto(path)
    expect(assessor.get_by_role("heading", level=1)).to_have_text(
        "This assessment has already been submitted"
    )
    assert_accessible(assessor, "journey-ticket-used")

    # --- The trainee sees who completed it ----------------------------------------------------
    learner.goto(f"/portfolio/evidence/{item_id}")
    expect(learner.locator("#assessment")).to_contain_text(
        "Completed by the assessor, identity confirmed by email code"
    )
    assert_accessible(learner, "journey-ticket-completed")
