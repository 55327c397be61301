"""The installable app in Chromium: a note written with no connection uploads once, a
refused note comes back with the server's message, and signing out leaves nothing on the
device. axe-core checks every new state at 1280 and 320 px; the screenshots of the offline
journey are tests/screenshots/offline-*.png (with PCPT_SCREENSHOTS=1)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, assert_accessible, sign_in
from tests.browser.offline_steps import (
    REFLECTIVE_FORM,
    device_storage,
    fill_note,
    keep_forms_on_device,
    server_evidence,
    status,
)
from tests.browser.test_trainee_journeys import _enrolled_trainee
from tests.trainee.conftest import VALID_NHS_NUMBER


def test_chromium_finds_the_app_installable(browser, live_server, tmp_path):
    # Chromium installs apps only from a profile kept on disk, never from a private window.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        base_url=live_server.url,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
    )
    try:
        page = context.new_page()
        page.goto("/auth/login")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert manifest["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_a_note_written_offline_uploads_once_from_two_tabs_and_on_a_retry(
    page, make_user, make_org, framework
):
    trainee = _enrolled_trainee(make_user, make_org, framework)
    sign_in(page, trainee.email)
    assert_accessible(page, "offline-0-portfolio-home")
    keep_forms_on_device(page)
    assert_accessible(page, "offline-1-add-evidence-kept-on-device")
    # The worker's own "You are offline" page is kept as anyone sees it: nobody's name.
    offline_page = page.evaluate("caches.match('/offline').then((r) => r.text())")
    assert "You are offline" in offline_page
    assert trainee.name not in offline_page

    page.get_by_label("Reflective account", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    fill_note(page, "Inhaler stock at the care home", "The home ran short of an inhaler.")
    expect(status(page)).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    assert_accessible(page, "offline-2-saved-as-typed")
    (draft,) = server_evidence()
    key = draft.client_key

    # No signal: the page comes back from the device, with what was typed.
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Inhaler stock at the care home")
    expect(status(page)).to_contain_text("We put back what you typed on this device")
    page.get_by_label("Now what? What will you do differently or next?").fill(
        "I check the home's order a week before the pharmacy's."
    )
    expect(status(page)).to_contain_text("No connection: kept on this device")
    assert_accessible(page, "offline-3-offline-form-put-back")

    page.get_by_role("button", name="Save as draft").click()
    queue = page.locator(".app-offline-queue")
    expect(queue.get_by_role("heading", name="Waiting to upload")).to_be_focused()
    expect(queue).to_contain_text("Inhaler stock at the care home")
    expect(queue).to_contain_text("Waiting to upload")
    assert_accessible(page, "offline-4-waiting-to-upload")
    note = page.evaluate("localStorage.getItem('pcpt:queue')")

    # A page the device does not keep says it needs a connection, and what still works.
    page.goto("/portfolio/evidence")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    assert_accessible(page, "offline-4a-page-not-kept")

    # A second tab, also offline, shows the same note waiting.
    other_tab = page.context.new_page()
    other_tab.goto("/portfolio/evidence/new")
    expect(other_tab.locator(".app-offline-queue")).to_contain_text(
        "Inhaler stock at the care home"
    )

    # Back online: both tabs try to send it; the server keeps it once.
    page.context.set_offline(False)
    for tab in (page, other_tab):
        expect(tab.get_by_role("heading", name="Waiting to upload")).to_have_count(0)
    items = server_evidence()
    assert len(items) == 1
    assert items[0].client_key == key
    assert items[0].current_version.fields["now_what"] == (
        "I check the home's order a week before the pharmacy's."
    )

    # The same note sent again (as after an answer lost on the way back): still one draft.
    page.evaluate("note => localStorage.setItem('pcpt:queue', note)", note)
    page.goto("/portfolio/evidence/new")
    expect(page.locator(".app-offline-queue")).to_contain_text("Saved as a draft")
    expect(page.get_by_role("link", name="Inhaler stock at the care home")).to_be_visible()
    assert_accessible(page, "offline-5-uploaded")
    assert [e.id for e in server_evidence()] == [items[0].id]
    other_tab.close()


def test_a_refused_note_keeps_its_text_and_signing_out_leaves_nothing_on_the_device(
    page, make_user, make_org, framework
):
    trainee = _enrolled_trainee(make_user, make_org, framework)
    sign_in(page, trainee.email)
    assert_accessible(page, "offline-0-portfolio-home")
    keep_forms_on_device(page)

    page.context.set_offline(True)
    page.goto(REFLECTIVE_FORM)
    fill_note(page, "Repeat prescription query", f"A query about NHS number {VALID_NHS_NUMBER}.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".app-offline-queue")).to_contain_text("Waiting to upload")
    assert_accessible(page, "offline-6-refused-note-waiting")

    page.context.set_offline(False)
    page.goto("/portfolio/evidence/new")
    queue = page.locator(".app-offline-queue")
    expect(queue).to_contain_text("Not uploaded")
    expect(queue).to_contain_text("NHS number")
    assert server_evidence() == []
    assert_accessible(page, "offline-6-note-refused-with-message")

    # The text is kept: signing out now still clears it, as it clears the kept pages.
    kept = device_storage(page)
    assert "pcpt:queue" in kept["localStorage"]
    assert REFLECTIVE_FORM in kept["caches"]["pcpt-pages"]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Sign in"))
    left = device_storage(page)
    assert left["localStorage"] == []
    assert left["indexedDB"] == []
    assert "pcpt-pages" not in left["caches"]
    # What a worker keeps again at once is the app's own files and offline page, as
    # anyone would see them: nobody's records or name.
    assert all(
        path.startswith("/static/") or path == "/offline"
        for paths in left["caches"].values()
        for path in paths
    )
    offline_page = page.evaluate(
        "navigator.serviceWorker.ready"
        ".then(() => caches.match('/offline')).then((r) => (r ? r.text() : ''))"
    )
    assert trainee.name not in offline_page


def test_a_refused_note_opens_in_its_form_to_be_put_right(page, make_user, make_org, framework):
    trainee = _enrolled_trainee(make_user, make_org, framework)
    sign_in(page, trainee.email)
    assert_accessible(page, "offline-0-portfolio-home")
    keep_forms_on_device(page)
    page.context.set_offline(True)
    page.goto(REFLECTIVE_FORM)
    fill_note(page, "Repeat prescription query", f"A query about NHS number {VALID_NHS_NUMBER}.")
    page.get_by_role("button", name="Save as draft").click()
    page.context.set_offline(False)
    page.goto("/portfolio/evidence/new")
    expect(page.locator(".app-offline-queue")).to_contain_text("Not uploaded")
    assert_accessible(page, "offline-7-refused-note-listed")
    page.get_by_role("link", name="Change this note").click()
    what = page.get_by_label("What happened?")
    expect(what).to_have_value(f"A query about NHS number {VALID_NHS_NUMBER}.")
    what.fill("A query about a repeat prescription.")
    expect(status(page)).to_have_text(re.compile(r"^Saved at "))
    assert_accessible(page, "offline-8-refused-note-reopened")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Repeat prescription query")
    assert_accessible(page, "offline-9-note-saved-as-draft")
    (item,) = server_evidence()
    assert item.current_version.fields["what_happened"] == "A query about a repeat prescription."
    # Saved: the device forgets the copy it kept and the note it held.
    assert not [k for k in device_storage(page)["localStorage"] if k.startswith("pcpt:typing:")]
    assert page.evaluate("JSON.parse(localStorage.getItem('pcpt:queue'))") == []


def test_without_javascript_signing_out_still_works_and_the_form_posts_as_before(
    new_page, make_user, make_org, framework
):
    trainee = _enrolled_trainee(make_user, make_org, framework)
    page = new_page(java_script_enabled=False)
    axe_page = new_page()  # axe-core checks a copy of each page here (it needs scripts)
    sign_in(page, trainee.email)
    assert_accessible(page, "offline-no-js-home", copy_into=axe_page)
    page.goto(REFLECTIVE_FORM)
    assert_accessible(page, "offline-no-js-form", copy_into=axe_page)
    fill_note(page, "Blister pack check", "I checked the packs against the chart.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Blister pack check")
    assert_accessible(page, "offline-no-js-draft-saved", copy_into=axe_page)
    (item,) = server_evidence()
    assert item.client_key is None  # without the script, the form as it always was

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out.")
    page.goto("/portfolio/")
    expect(page).to_have_url(re.compile("/auth/login"))
