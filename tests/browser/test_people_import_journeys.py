"""Importing people in Chromium: an administrator uploads a file with two bad lines, sees
them named, uploads the corrected file, previews and imports it. Each page passes axe at
1280 and 320 px."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.services.accounts import organisations
from tests.browser.conftest import assert_accessible, sign_in
from tests.people_import.conftest import csv_text, person, staff


def test_an_administrator_corrects_a_file_then_imports_it(
    page, make_user, make_org, framework, tmp_path
):
    hub = make_org("North Hub", "training-hub")
    pcn = make_org("Harbour PCN", "pcn", hub)
    make_org("Harbour Surgery", "practice", pcn)
    organisations.create_cohort("Autumn 2026", hub, framework_id=framework.id)
    db.session.commit()
    make_user(("supervisor",), email="sam@example.org", org=pcn, gphc="2034567")
    admin = make_user(("admin",))
    bad = tmp_path / "people.csv"
    bad.write_text(
        csv_text(
            [
                staff(email="pat@example.org"),
                person(email="not-an-email"),
                person(email="jo@example.org", start_date="01/09/2026"),
            ]
        )
    )
    good = tmp_path / "people-corrected.csv"
    good.write_text(csv_text([staff(email="pat@example.org"), person()]))

    sign_in(page, admin.email)
    assert_accessible(page, "admin-home")
    page.goto("/admin/users")
    assert_accessible(page, "admin-users")
    page.get_by_role("link", name="Import people from a CSV file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people from a CSV file")
    assert_accessible(page, "people-import")

    page.locator("input[type=file][name=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_title("Error: Check the people to import - PCPT Portfolio")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Line 3, email: Enter a valid email address")
    expect(summary).to_contain_text("Line 4, start_date: Enter the start date as YYYY-MM-DD")
    expect(page.locator("#line-3")).to_contain_text("Error")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert_accessible(page, "people-import-preview-errors")

    page.get_by_role("link", name="Upload a different file").first.click()
    page.locator("input[type=file][name=file]").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_title("Check the people to import - PCPT Portfolio")
    expect(page.locator("#line-3")).to_contain_text("Create account and enrol")
    assert_accessible(page, "people-import-preview")

    page.get_by_role("button", name="Import 2 people").click()
    expect(page).to_have_title("People imported - PCPT Portfolio")
    expect(page.locator("#import-result")).to_contain_text("Invitations sent")
    assert_accessible(page, "people-import-result")
