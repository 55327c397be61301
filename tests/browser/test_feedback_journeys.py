"""A multi-source feedback round in Chromium, axe on every page at 1280 and 320 px: the
trainee opens a round and asks a colleague, the colleague answers from the e-mailed link
(and is refused a second time), the supervisor is refused closing the round one answer
short, closes it when the rule is met and releases the report."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.services.feedback import rounds
from app.services.supervision import enrolments
from tests.browser.conftest import assert_accessible, assert_error_summary_focused, sign_in
from tests.feedback.conftest import GOOD_ANSWERS, tokens_sent_to


def _answer_by_service(app, enrolment_id: int, trainee, role: str, n: int) -> None:
    """Another colleague asked and answering, beside the server's own writes."""
    db.session.rollback()  # end the test's read transaction: see what the server wrote
    round_ = rounds.open_round_of(enrolment_id)
    email = f"{role}{n}@example.net"
    rounds.nominate(round_, name=f"Colleague {n}", email=email, role=role, actor=trainee)
    db.session.commit()
    rounds.respond(tokens_sent_to(app, email)[-1], GOOD_ANSWERS)
    db.session.commit()


def test_a_feedback_round_from_request_to_released_report(
    app, new_page, live_server, make_user, framework
):
    supervisor = make_user(roles=("supervisor",), gphc="2000130", name="Nia Rees")
    trainee = make_user(roles=("trainee",), name="Jo Marsh")
    enrolment = enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    enrolment_id = enrolment.id

    # --- The trainee opens a round and asks a nurse -------------------------------------------
    learner = new_page()
    sign_in(learner, trainee.email)
    assert_accessible(learner, "journey-msf-trainee-home")
    learner.get_by_role("link", name="Multi-source feedback").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Multi-source feedback")
    assert_accessible(learner, "journey-msf-trainee-start")
    learner.get_by_role("button", name="Open a feedback round").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Ask a colleague for feedback")
    learner.get_by_role("button", name="Send the request").click()
    assert_error_summary_focused(
        learner,
        "Enter the name of the person you are asking",
        learner.get_by_label("Their full name"),
    )
    assert_accessible(learner, "journey-msf-nominate-errors")
    learner.get_by_label("Their full name").fill("Pat Nurse")
    learner.get_by_label("Their work email address").fill("pat.nurse@example.net")
    learner.get_by_label("Nurse", exact=True).check()
    learner.get_by_role("button", name="Send the request").click()
    expect(learner.locator("#msf-asked-so-far")).to_contain_text("You have asked 1 person")
    assert_accessible(learner, "journey-msf-nominate")

    # --- The nurse answers from the e-mailed link, once ---------------------------------------
    token = tokens_sent_to(app, "pat.nurse@example.net")[-1]
    rater = new_page()
    rater.goto(f"/feedback/{token}")
    expect(rater.get_by_role("heading", level=1)).to_have_text("Feedback for Jo Marsh")
    assert_accessible(rater, "journey-msf-questionnaire")
    rater.get_by_role("button", name="Send your feedback").click()
    first = rater.locator("fieldset").first
    assert_error_summary_focused(
        rater,
        "Choose a rating for: Communicates clearly and kindly with patients and colleagues",
        first.get_by_role("radio").first,
    )
    assert_accessible(rater, "journey-msf-questionnaire-errors")
    for index in range(rater.locator("fieldset").count()):
        rater.locator("fieldset").nth(index).get_by_role("radio").nth(3).check()
    rater.get_by_label("What does the trainee do well?").fill("Explains changes to patients.")
    rater.get_by_role("button", name="Send your feedback").click()
    expect(rater.get_by_role("heading", level=1)).to_have_text("Thank you: your feedback is sent")
    assert_accessible(rater, "journey-msf-thanks")
    rater.goto(f"/feedback/{token}")
    expect(rater.get_by_role("heading", level=1)).to_have_text(
        "You have already given your feedback"
    )
    assert_accessible(rater, "journey-msf-link-used")

    # --- One more answer, and the supervisor is refused closing one short ------------------------
    _answer_by_service(app, enrolment_id, trainee, "pharmacist", 1)
    reviewer = new_page()
    sign_in(reviewer, supervisor.email)
    assert_accessible(reviewer, "journey-msf-supervisor-home")
    reviewer.goto(f"/supervision/enrolments/{enrolment_id}")
    assert_accessible(reviewer, "journey-msf-supervision-record")
    reviewer.locator("#feedback-link a").click()
    expect(reviewer.locator("#msf-standing")).to_have_text(
        "So far the round needs 1 more response in all (2 of at least 3)."
    )
    assert_accessible(reviewer, "journey-msf-supervisor-progress")
    reviewer.get_by_label("Yes: close it as valid, ready to release its report").check()
    reviewer.get_by_role("button", name="Close the round").click()
    assert_error_summary_focused(
        reviewer,
        "This round cannot be closed as valid: it needs 1 more response in all (2 of at least 3).",
        reviewer.get_by_label("Yes: close it as valid, ready to release its report"),
    )
    assert_accessible(reviewer, "journey-msf-refused-one-short")

    # --- A third answer: closed as valid, the report read and released ---------------------------
    _answer_by_service(app, enrolment_id, trainee, "gp", 2)
    reviewer.goto(f"/supervision/enrolments/{enrolment_id}/feedback")
    reviewer.get_by_label("Yes: close it as valid, ready to release its report").check()
    reviewer.get_by_role("button", name="Close the round").click()
    expect(reviewer.locator("#msf-report")).to_contain_text("Explains changes to patients.")
    assert_accessible(reviewer, "journey-msf-report-preview")
    reviewer.get_by_role("button", name="Release the report to the trainee").click()
    expect(reviewer.locator("#past-rounds + table")).to_contain_text("Valid: report released")

    learner.goto("/portfolio/feedback")
    learner.get_by_role("link", name="Read the report").click()
    expect(learner.locator("body")).to_contain_text("Combined feedback from 3 colleagues.")
    expect(learner.locator("body")).not_to_contain_text("Pat Nurse")
    assert_accessible(learner, "journey-msf-report-evidence")
    learner.goto("/portfolio/feedback")
    assert_accessible(learner, "journey-msf-trainee-released")
