"""What every browser journey checks on the pages it visits.

`assert_accessible` runs axe-core (every WCAG 2.0, 2.1 and 2.2 A and AA rule, none
switched off) at desktop width and at 320 px, screenshots both widths into
tests/screenshots/ (ignored by git) when PCPT_SCREENSHOTS=1, and checks the title: it
ends with the service name, starts with "Error: " exactly when the page shows an error
summary, and names one page only across every journey of the run. Error summary links
must reach a field, and every status tag must say its status in words.

The state shared across journeys lives in this module, not in conftest.py, so the copy
pytest loads and the copy the tests import see the same lists.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "tests" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Only violations are sent back: axe skips building the passes, which halves its time.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# The page states checked with axe in this run, as (name, route): for the summary line, and
# so each journey can show it checked every page it visited.
CHECKED: list[tuple[str, str]] = []
# Each page title seen in this run (without "Error: "), and the page it named.
TITLES: dict[str, str] = {}


# Screenshots are for people reading the pages, not for the checks: taking one of every
# page state at both widths adds about a sixth to the journeys' time, so they are asked for.
TAKE_SCREENSHOTS = os.environ.get("PCPT_SCREENSHOTS") == "1"


def screenshot(page, name: str) -> None:
    if not TAKE_SCREENSHOTS:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)


def route(url: str) -> str:
    """The page a URL shows, whatever the record: /portfolio/evidence/12 gives
    /portfolio/evidence/<id>."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", urlsplit(url).path)


def assert_page_title(page, titles: dict[str, str] = TITLES) -> None:
    """The title names this page only (of those in `titles`, every journey's by default),
    and says "Error: " first exactly when there are errors."""
    # A click that navigates returns once the new page has started to arrive, before its
    # <head> may have been read: wait for the whole document first.
    page.wait_for_load_state()
    title = page.title()
    assert title.endswith(" - PCPT Portfolio"), f"{title!r} does not end with the service name"
    has_errors = page.locator(".nhsuk-error-summary").count() > 0
    assert title.startswith("Error: ") == has_errors, (
        f"{title!r}: the error prefix must be there exactly when the page shows errors"
    )
    bare = title.removeprefix("Error: ")
    shown = route(page.url)
    named = titles.setdefault(bare, shown)
    assert named == shown, f"two pages share the title {bare!r}: {named} and {shown}"


def assert_error_links_reach_fields(page) -> None:
    """Every link in the error summary points at a form control (or its fieldset) on the page."""
    for href in page.locator(".nhsuk-error-summary__list a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        assert (href or "").startswith("#"), f"error summary link {href!r} is not to a field"
        target = page.locator(f"[id='{href[1:]}']")
        assert target.count() == 1, f"error summary link {href} points at no element"
        assert target.evaluate(
            "el => el.matches('input, select, textarea, button') || "
            "!!el.querySelector('input, select, textarea')"
        ), f"error summary link {href} points at no form control"


def assert_status_in_words(page) -> None:
    """Every status tag says its status: the colour only repeats the words."""
    tags = page.locator(".nhsuk-tag").evaluate_all("tags => tags.map(t => t.innerText.trim())")
    assert all(tags), f"a status tag with no words on {page.url}: {tags}"


def assert_error_summary_focused(page, link: str, field) -> None:
    """After a submission with errors: the summary has focus, and its link moves focus to
    the field it names (the behaviour NHS.UK's script gives, so JavaScript must be on)."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=link).click()
    expect(field).to_be_focused()


_TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# WCAG 1.4.10 Reflow, which axe-core does not test: at 320 px nothing makes the page scroll
# sideways (a wide table scrolls inside its own region instead). Names what sticks out.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const out = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  });
  const outermost = out.filter((el) => !out.includes(el.parentElement));
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((name) => "." + name).join("");
  return outermost.slice(0, 3).map(describe).join(", ") || "the page";
}"""


def assert_accessible(page, name: str, *, copy_into=None) -> None:
    """No WCAG 2.0/2.1/2.2 A or AA violations, at desktop width and at 320 px
    (screenshots both with PCPT_SCREENSHOTS=1).

    The page's title and error summary are checked too (see `assert_page_title`).
    axe-core needs timers, which a page without JavaScript never runs: for such a page,
    pass `copy_into`, a page with JavaScript, and axe checks a copy of the page's document
    there, with the app's own scripts left out so nothing enhances it.
    """
    assert_page_title(page)
    assert_error_links_reach_fields(page)
    assert_status_in_words(page)
    checked = page
    if copy_into is not None:
        document = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
        copy_into.goto("/healthz")  # same origin, so the copy's styles load as they did
        copy_into.set_content(document)
        checked = copy_into
    checked.evaluate(AXE_SCRIPT)  # once per page: the narrow run reuses it
    original = page.viewport_size
    problems = []
    for width in (original["width"], 320):
        for shown in {page, checked}:
            shown.set_viewport_size({"width": width, "height": original["height"]})
        if copy_into is None:
            # Let the page's scripts finish reacting to the new width (the header moves
            # links into its "More" menu) before the screenshot.
            page.evaluate(_TWO_FRAMES)
        screenshot(page, f"{name}-{width}")
        violations = checked.evaluate("options => axe.run(document, options)", AXE_OPTIONS)[
            "violations"
        ]
        for violation in violations:
            targets = [n["target"] for n in violation["nodes"]][:3]
            problems.append(f"{width}px {violation['id']}: {violation['help']} at {targets}")
        overflow = checked.evaluate(_OVERFLOW)
        if overflow:
            problems.append(f"{width}px reflow (WCAG 1.4.10): wider than the window: {overflow}")
    for shown in {page, checked}:
        shown.set_viewport_size(original)
    CHECKED.append((name, route(page.url)))
    assert problems == [], f"accessibility violations on {name}:\n" + "\n".join(problems)
