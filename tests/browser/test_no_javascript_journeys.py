"""The trainee's journey in a browser with JavaScript switched off.

JavaScript only improves the pages: without it the competency chooser lists every
competency with its note field open, the file input is the browser's own, and errors
come back from the server, so evidence can still be added with a file, linked to
competencies and submitted.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from app.services.supervision import enrolments
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.evidence_steps import (
    MINIMAL_PDF,
    attach,
    choose_type,
    fill_reflective_account,
    link_competency,
    pdf_file,
)

TITLE = "Medicines reconciliation after discharge"
COMPETENCIES = 20  # in the NCF as shipped


def test_a_trainee_adds_evidence_with_a_file_and_submits_it_without_javascript(
    new_page, make_user, make_org, framework, tmp_path
):
    practice = make_org("Harbour Street Surgery")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000130")
    trainee = make_user(roles=("trainee",), org=practice, name="Noa Script")
    enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()

    page = new_page(java_script_enabled=False)
    axe_page = new_page()  # where axe-core checks a copy of each page (it needs scripts)
    sign_in(page, trainee.email)
    expect(page.get_by_role("heading", name="My portfolio", level=1)).to_be_visible()
    assert page.evaluate("document.body.classList.contains('js-enabled')") is False
    assert_accessible(page, "no-js-home", copy_into=axe_page)

    choose_type(
        page,
        "Reflective account",
        check=lambda: assert_accessible(page, "no-js-choose-type", copy_into=axe_page),
    )
    # No search box; every competency and every note field is there to use.
    expect(page.get_by_label("Search competencies")).to_have_count(0)
    expect(page.locator("input[name=competencies]")).to_have_count(COMPETENCIES)
    expect(page.get_by_label("How does this evidence show D2.1? (optional)")).to_be_visible()
    expect(page.locator("input[type=file][name=attachment]")).to_be_visible()
    assert_accessible(page, "no-js-add-evidence", copy_into=axe_page)

    page.get_by_role("button", name="Save as draft").click()
    expect(page).to_have_title(re.compile("^Error: Add evidence"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter title")
    assert_accessible(page, "no-js-add-evidence-errors", copy_into=axe_page)

    fill_reflective_account(page, TITLE)
    link_competency(page, "D1.2", "I matched the discharge letter against the repeat list")
    link_competency(page, "D2.1")
    attach(page, pdf_file(tmp_path, "discharge checklist.pdf"))
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#evidence-status")).to_contain_text("Draft")
    expect(page.locator("main")).to_contain_text("I matched the discharge letter")
    with page.expect_download() as download:
        page.get_by_role("link", name="discharge checklist.pdf", exact=True).click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == MINIMAL_PDF
    assert_accessible(page, "no-js-evidence-draft", copy_into=axe_page)

    page.get_by_role("button", name="Submit version 1 for review").click()
    expect(page.locator("#evidence-status")).to_contain_text("Waiting for review")

    page.get_by_role("link", name=re.compile(r"D1\.2 ")).first.click()
    expect(page.locator("main table")).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text("Needs 3 more accepted items")
    assert_accessible(page, "no-js-competency", copy_into=axe_page)
