"""Publishing a framework version, in Chromium through gunicorn, each page checked with axe
at 1280 and 320 px: a lead uploads a file with problems (each shown with the file name and
line, nothing imported), then a variant of the worked example 3.1, reads the preview and
the diff against version 3, and publishes it after confirming; only an administrator
is offered marking it published, and does."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models.frameworks import Framework
from app.services.frameworks import catalogue
from tests.browser.conftest import sign_in
from tests.browser.page_checks import assert_accessible
from tests.conftest import ROOT, import_framework_file

WORKED_EXAMPLE = (ROOT / "frameworks" / "ncf-pcpt-3.1.yaml").read_text()


def imported_versions() -> int:
    db.session.rollback()  # read what the server committed
    return db.session.scalar(select(func.count()).select_from(Framework))


def test_a_lead_publishes_a_version_and_an_administrator_marks_it_published(
    new_page, make_user, make_org, tmp_path
):
    import_framework_file(ROOT / "frameworks" / "ncf-pcpt-3.yaml")
    lead = make_user(roles=("lead",), name="Lee Lead", org=make_org("North Hub", "training-hub"))
    admin = make_user(roles=("admin",), name="Ada Admin")
    variant = WORKED_EXAMPLE.replace('version: "3.1"', 'version: "3.2"')
    bad = variant.replace("publisher:", "publsher:", 1)
    typo_line = next(n for n, line in enumerate(bad.splitlines(), 1) if "publsher" in line)
    (tmp_path / "ncf-draft.yaml").write_text(bad)
    (tmp_path / "ncf-pcpt-3.2.yaml").write_text(variant)

    page = new_page()
    sign_in(page, lead.email)
    assert_accessible(page, "publish-lead-home")
    page.get_by_role("link", name="Publish a framework version").click()
    assert_accessible(page, "publish-upload")

    page.locator("input[type=file][name=file]").set_input_files(str(tmp_path / "ncf-draft.yaml"))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Nothing was imported: the file has problems")
    expect(summary).to_contain_text(f"ncf-draft.yaml:{typo_line}: unknown key 'publsher'")
    assert_accessible(page, "publish-upload-errors")
    assert imported_versions() == 1

    page.locator("input[type=file][name=file]").set_input_files(str(tmp_path / "ncf-pcpt-3.2.yaml"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check ncf-pcpt version 3.2")
    expect(page.locator("#baseline")).to_contain_text("version 3, the version this file follows")
    expect(page.locator("#merged-D1\\.3")).to_contain_text("D1.4")
    expect(page.locator("#split-D3\\.3")).to_contain_text("D3.6")
    expect(page.locator("#reworded-D2\\.1")).to_be_visible()
    assert_accessible(page, "publish-preview")
    assert imported_versions() == 1

    page.get_by_role("button", name="Continue to publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish ncf-pcpt version 3.2")
    assert_accessible(page, "publish-confirm")
    page.get_by_role("button", name="Publish version 3.2").click()
    expect(summary).to_contain_text("Confirm that you have checked the version")
    assert_accessible(page, "publish-confirm-error")
    page.get_by_label("I have checked the competencies, rules and changes").check()
    page.get_by_role("button", name="Publish version 3.2").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Published National Competency Framework"
    )
    expect(page.locator("#published")).to_contain_text("Published by Lee Lead")
    assert_accessible(page, "publish-done")
    assert imported_versions() == 2
    assert catalogue.find_framework("ncf-pcpt", "3.2").status == "provisional"

    # A lead is offered no marking (tests/frameworks_lifecycle/test_publish_pages.py tries
    # the address: 403 with the rule's words).
    page.get_by_role("link", name="Publish a framework version").first.click()
    expect(page.locator("#versions")).to_contain_text("3.2")
    expect(page.locator("#versions a")).to_have_count(0)

    admin_page = new_page()
    sign_in(admin_page, admin.email)
    assert_accessible(admin_page, "publish-admin-home")
    admin_page.get_by_role("link", name="Publish a framework version").click()
    admin_page.get_by_role("link", name="Mark as published ncf-pcpt version 3.2").click()
    assert_accessible(admin_page, "mark-published")
    admin_page.get_by_role("button", name="Mark as published").click()
    expect(admin_page.locator(".nhsuk-error-summary")).to_contain_text("Confirm that this is")
    assert_accessible(admin_page, "mark-published-error")
    admin_page.get_by_label("I confirm this is the final published wording").check()
    admin_page.get_by_role("button", name="Mark as published").click()
    expect(admin_page.locator(".nhsuk-notification-banner")).to_contain_text(
        "version 3.2, is now marked as published"
    )
    assert_accessible(admin_page, "publish-versions-after-marking")
    db.session.rollback()
    assert catalogue.find_framework("ncf-pcpt", "3.2").status == "published"
