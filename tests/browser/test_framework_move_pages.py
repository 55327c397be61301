"""Moving trainees to a new framework version, in Chromium through gunicorn, each page
checked with axe at 1280 and 320 px: a lead previews and confirms the move, the trainee's
home links to what changed, and the clinical supervisor reads and signs the gap analysis."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from app.extensions import db
from app.services.clock import uk_today
from app.services.supervision import enrolments
from tests.browser.conftest import sign_in
from tests.browser.page_checks import assert_accessible
from tests.conftest import import_framework_file
from tests.supervision.conftest import accepted as accepted
from tests.supervision.conftest import sign as sign
from tests.supervision.conftest import submitted as submitted

FILES = Path(__file__).resolve().parent.parent / "frameworks_lifecycle" / "files"


def test_a_lead_moves_a_trainee_and_the_supervisor_signs_the_gap_analysis(
    new_page, make_user, make_org, accepted, sign
):
    v1 = import_framework_file(FILES / "v1.yaml")
    import_framework_file(FILES / "v2.yaml")
    hub = make_org("North Hub", "training-hub")
    practice = make_org("Riverside Practice", "practice", hub)
    supervisor = make_user(roles=("supervisor",), name="Sam First", org=practice, gphc="2000001")
    trainee = make_user(roles=("trainee",), name="Tom Trainee", org=practice)
    lead = make_user(roles=("lead",), name="Lee Lead", org=hub)
    enrolment = enrolments.enrol(
        trainee, v1, supervisor=supervisor, started_on=uk_today() - timedelta(days=60)
    )
    db.session.commit()
    accepted(enrolment, "reflective-account", ["A1", "A2"], title="Inhaler and queries")
    accepted(enrolment, "observation", ["A1"], title="Observed inhaler")
    sign(enrolment, "A1")

    page = new_page()
    sign_in(page, lead.email)
    assert_accessible(page, "framework-move-lead-home")
    page.get_by_role("link", name="Move trainees to a new framework version").click()
    assert_accessible(page, "framework-move-form")
    page.get_by_role("button", name="Preview the move").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the versions")
    assert_accessible(page, "framework-move-form-error")
    page.get_by_label("Move trainees").select_option(
        label="Crosswalk test framework: version 1 to version 2"
    )
    page.get_by_role("button", name="Preview the move").click()
    expect(page.locator("#preview-summary")).to_have_text(
        "1 trainee would move. Nothing has changed yet."
    )
    assert_accessible(page, "framework-move-preview")
    page.get_by_role("button", name="Move 1 trainee").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Moved 1 trainee to version 2"
    )
    assert_accessible(page, "framework-move-done")

    own = new_page()
    sign_in(own, trainee.email)
    expect(own.locator("#framework-move")).to_contain_text("moved from version 1 to version 2")
    assert_accessible(own, "framework-move-trainee-home")
    own.get_by_role("link", name="See what changed with the new version").click()
    expect(own.locator("#gap-carried_over-table")).to_contain_text("Carried over from version 1")
    assert_accessible(own, "gap-analysis-unsigned")

    signer = new_page()
    sign_in(signer, supervisor.email)
    assert_accessible(signer, "framework-move-supervisor-home")
    signer.goto(f"/supervision/enrolments/{enrolment.id}/gap-analysis")
    signer.get_by_role("link", name="Review and sign the gap analysis").click()
    assert_accessible(signer, "gap-analysis-sign")
    signer.get_by_role("button", name="Sign the gap analysis").click()
    expect(signer.locator(".nhsuk-error-summary")).to_contain_text("Write what the trainee")
    assert_accessible(signer, "gap-analysis-sign-error")
    signer.get_by_label("What the trainee needs to do to cover the changes").fill(
        "Sign off M1 again after one more observation."
    )
    signer.get_by_role("button", name="Sign the gap analysis").click()
    expect(signer.locator("#gap-signature")).to_contain_text("Signed by Sam First")
    assert_accessible(signer, "gap-analysis-signed")
