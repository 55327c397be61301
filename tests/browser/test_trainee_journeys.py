"""The trainee's portfolio in Chromium, with axe-core on every page, and the competency
chooser's search box (the one piece of JavaScript the pages add)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from app.services.supervision import enrolments
from tests.browser.conftest import assert_accessible, sign_in


def _enrolled_trainee(make_user, make_org, framework):
    practice = make_org("Harbour Street Surgery")
    supervisor = make_user(roles=("supervisor",), org=practice, gphc="2000110")
    trainee = make_user(roles=("trainee",), org=practice, name="Robin Hale")
    enrolments.enrol(trainee, framework, supervisor=supervisor)
    db.session.commit()
    return trainee


def test_trainee_adds_a_reflective_account_through_accessible_pages(
    page, make_user, make_org, framework, tmp_path
):
    trainee = _enrolled_trainee(make_user, make_org, framework)
    sign_in(page, trainee.email)
    expect(page.locator("#domain-1-progress")).to_contain_text("0 of 5 competencies signed off")
    assert_accessible(page, "trainee-portfolio-home")

    page.get_by_role("link", name="Add evidence").first.click()
    expect(page).to_have_title("Add evidence - PCPT Portfolio")
    assert_accessible(page, "trainee-choose-type")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Add evidence - PCPT Portfolio")
    # The summary takes focus as the page loads, which scrolls it: choose after that.
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    page.get_by_label("Reflective account").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")

    # The search box narrows the chooser; without a match a domain disappears.
    search = page.get_by_label("Search competencies")
    search.fill("care homes")
    expect(page.get_by_label(re.compile(r"D1\.4 Supporting"))).to_be_visible()
    expect(page.get_by_label(re.compile(r"D1\.1 Contributing"))).to_be_hidden()
    expect(page.locator("#competency-search-status")).to_contain_text("0 of 5 chosen")
    search.fill("")
    page.get_by_label(re.compile(r"D1\.4 Supporting")).check()
    page.get_by_label("How does this evidence show D1.4? (optional)").fill(
        "I sorted the monthly order with the home's staff"
    )
    expect(page.locator("#competency-search-status")).to_contain_text("1 of 5 chosen")
    assert_accessible(page, "trainee-add-reflective-account")

    page.get_by_role("button", name="Save as draft").click()
    expect(page).to_have_title(re.compile("^Error: Add evidence"))
    assert_accessible(page, "trainee-add-evidence-errors")

    page.get_by_label("Title").fill("Care home ordering")
    page.locator("input[name='occurred_on[day]']").fill("3")
    page.locator("input[name='occurred_on[month]']").fill("2")
    page.locator("input[name='occurred_on[year]']").fill("2025")
    page.get_by_label("What happened?").fill("The home ran short of a resident's inhaler.")
    page.get_by_label("So what? What did you learn and why does it matter?").fill(
        "Ordering dates must line up with the pharmacy's."
    )
    page.get_by_label("Now what? What will you do differently or next?").fill(
        "I now check the order a week early."
    )
    pdf = tmp_path / "order sheet.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.locator("input[type=file][name=attachment]").set_input_files(str(pdf))
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Care home ordering")
    expect(page.locator("#evidence-status")).to_contain_text("Draft")
    expect(page.get_by_role("link", name="order sheet.pdf", exact=True)).to_be_visible()
    assert_accessible(page, "trainee-evidence-page")

    # A second file, chosen by mistake, is removed before anyone has seen it.
    wrong = tmp_path / "wrong sheet.txt"
    wrong.write_text("Not this one.\n")
    page.locator("input[type=file][name=attachment]").set_input_files(str(wrong))
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_role("link", name="wrong sheet.txt", exact=True)).to_be_visible()
    page.get_by_role("link", name="Remove wrong sheet.txt", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove wrong sheet.txt?"
    )
    assert_accessible(page, "trainee-remove-file")
    page.get_by_role("button", name="Yes, remove this file").click()
    banner = page.locator(".nhsuk-notification-banner")
    expect(banner).to_contain_text("wrong sheet.txt is removed.")
    expect(page.get_by_role("link", name="wrong sheet.txt", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="order sheet.pdf", exact=True)).to_be_visible()

    page.get_by_role("button", name=re.compile("Submit version 1")).click()
    expect(page.locator("#evidence-status")).to_contain_text("Waiting for review")
    # Once shared, the page names who can now read it.
    page.get_by_text("Who can see this evidence").click()
    expect(page.locator("#who-can-see")).to_contain_text("your clinical supervisor")
    assert_accessible(page, "trainee-evidence-who-can-see")

    page.get_by_role("link", name=re.compile(r"D1\.4 Supporting")).click()
    expect(page.locator("#still-missing + ul")).to_contain_text("Needs 2 more accepted items")
    assert_accessible(page, "trainee-competency-page")

    page.goto("/portfolio/evidence")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert_accessible(page, "trainee-evidence-list")
