"""Steps and checks the offline journeys share: keeping the forms on the device, reading
what the device and the server hold."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models.evidence import Evidence
from tests.browser.evidence_steps import ACTIVITY_DAY, fill_date, link_competency

REFLECTIVE_FORM = "/portfolio/evidence/new/reflective-account"


def server_evidence() -> list[Evidence]:
    db.session.commit()  # a fresh transaction: the browser's requests wrote since
    return list(db.session.scalars(select(Evidence).order_by(Evidence.id)))


def keep_forms_on_device(page) -> None:
    """Open "Add evidence" until the service worker controls the page and the forms are kept."""
    page.goto("/portfolio/evidence/new")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the worker's control
    assert page.evaluate("!!navigator.serviceWorker.controller")
    expect(page.locator("#offline-ready")).to_be_visible()


def fill_note(page, title: str, what_happened: str) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    fill_date(page, "Date of the activity", ACTIVITY_DAY)
    page.get_by_label("What happened?").fill(what_happened)
    page.get_by_label("So what? What did you learn and why does it matter?").fill(
        "Stock checks belong in the weekly routine."
    )
    page.get_by_label("Now what? What will you do differently or next?").fill(
        "I check the order a week early."
    )
    link_competency(page, "D1.4")


def status(page):
    return page.locator("#typing-status")


def device_storage(page) -> dict:
    """What this origin keeps in the browser: storage keys, caches and their URLs, databases."""
    return page.evaluate(
        """async () => {
          const cached = {};
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            cached[name] = (await cache.keys()).map((r) => new URL(r.url).pathname);
          }
          return {
            localStorage: Object.keys(localStorage),
            caches: cached,
            indexedDB: (await indexedDB.databases()).map((d) => d.name),
          };
        }"""
    )
