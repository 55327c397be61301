"""The evidence form completed and sent with the keyboard alone: Tab, Shift+Tab, arrows,
Space, Enter and typing. No clicks and no filling of elements found by the test.

Every element that takes focus must show a visible indicator and be scrolled into view,
and the form's fields must take focus in reading order.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from app.services.supervision import enrolments
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.keyboard import Keyboard, assert_reading_order

TITLE = "Handing over the repeat queue"


def test_a_trainee_adds_and_submits_evidence_without_a_mouse(page, make_user, make_org, framework):
    practice = make_org("Harbour Street Surgery")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000120")
    trainee = make_user(roles=("trainee",), org=practice, name="Kit Keys")
    enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    sign_in(page, trainee.email)
    expect(page.get_by_role("heading", name="My portfolio", level=1)).to_be_visible()
    # The page's scripts have run (they make the skip link move focus, not just scroll).
    expect(page.locator("body")).to_have_class(re.compile("nhsuk-frontend-supported"))
    assert_accessible(page, "keyboard-home")
    keys = Keyboard(page)

    # The skip link comes first and moves focus to the main content.
    skip = keys.move("Tab")
    assert skip is not None
    assert skip.text == "Skip to main content"
    keys.press("Enter")
    expect(page.locator("main")).to_be_focused()
    keys.tab_to("Add evidence")
    keys.press("Enter")

    # Choose the type: the arrow keys move through the radios and choose.
    expect(page.get_by_role("group", name="What type of evidence are you adding?")).to_be_visible()
    assert_accessible(page, "keyboard-choose-type")
    keys.tab_to(re.compile("^Holistic assessment"))
    while not keys.focused().text.startswith("Reflective account"):
        keys.move("ArrowDown")
    expect(page.get_by_label("Reflective account", exact=True)).to_be_checked()
    keys.tab_to("Continue")
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    assert_accessible(page, "keyboard-add-evidence")

    # Only a title, then Enter in the field: the form comes back with its errors, the
    # summary takes focus, and its first link takes focus to the first field to fix.
    keys.tab_to("Title")
    keys.type("Handing over the repeat qeue")
    keys.press("Enter")
    expect(page).to_have_title(re.compile("^Error: Add evidence"))
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    keys.tab_to("Enter date of the activity")
    keys.press("Enter")
    expect(
        page.get_by_role("group", name="Date of the activity").get_by_label("Day")
    ).to_be_focused()

    # Fill the form in order; Shift+Tab goes back to mend the title's typo.
    form_start = len(keys.trail)
    keys.type("20")
    keys.move("Tab")
    keys.type("5")
    keys.move("Tab")
    keys.type("2025")
    keys.tab_to("Title", back=True)
    keys.replace(TITLE)
    keys.tab_to("What happened?")
    keys.type("My shift ended with six repeat requests still open.")
    keys.tab_to("So what? What did you learn and why does it matter?")
    keys.type("Unfinished work needs a handover a colleague can act on.")
    keys.tab_to("Now what? What will you do differently or next?")
    keys.type("I write each open request on the handover sheet.")

    # The competency search narrows the list; Enter in it does not send the form.
    keys.tab_to("Search competencies")
    keys.type("pharmacy team")
    keys.press("Enter")
    expect(page.locator("#competency-search-status")).to_contain_text("competencies shown")
    keys.tab_to(re.compile(r"^D1\.1 "))
    keys.press("Space")
    expect(page.get_by_label(re.compile(r"D1\.1 Contributing"))).to_be_checked()
    keys.tab_to("How does this evidence show D1.1? (optional)")
    keys.type("I handed the queue to the pharmacist with a note for each request.")
    keys.tab_to("Save as draft")
    forward = keys.trail[form_start:]
    keys.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#evidence-status")).to_contain_text("Draft")
    expect(page.locator("main")).to_contain_text("I handed the queue to the pharmacist")
    keys.tab_to("Submit version 1 for review")
    keys.press("Enter")
    expect(page.locator("#evidence-status")).to_contain_text("Waiting for review")
    assert_accessible(page, "keyboard-evidence-submitted")

    keys.assert_focus_was_always_visible()
    mended = next(i for i, f in enumerate(forward) if f.text == "Title")
    assert_reading_order(forward[mended:])
