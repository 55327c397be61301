"""Moving through a page with the keyboard alone, and reading where the focus is.

`Keyboard` presses Tab (or Shift+Tab) until the focused element is the one wanted, and
keeps a trail of every element that took focus, so a test can check that each one showed
a visible focus indicator, was scrolled into view and came in a sensible order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

# What a sighted keyboard user sees of the focused element. NHS.UK draws the indicator on
# the element itself (outline or box shadow), on a checkbox's or radio's label::before,
# or on the file drop zone; a link's indicator is a yellow background with a box shadow.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const visible = (style) =>
    (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
    style.boxShadow !== "none";
  let indicator = visible(getComputedStyle(el));
  if (!indicator && (el.type === "checkbox" || el.type === "radio") && el.labels.length) {
    indicator = visible(getComputedStyle(el.labels[0], "::before"));
  }
  const box = el.getBoundingClientRect();
  const text = (el.labels && el.labels.length ? el.labels[0].innerText : "") ||
    el.getAttribute("aria-label") || el.innerText || el.value || "";
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || "",
    name: el.getAttribute("name") || "",
    text: text.replace(/\\s+/g, " ").trim(),
    top: Math.round(box.top + window.scrollY),
    left: Math.round(box.left + window.scrollX),
    in_view: box.bottom > 0 && box.top < window.innerHeight &&
      box.right > 0 && box.left < window.innerWidth,
    indicator,
  };
}"""


@dataclass(frozen=True)
class Focus:
    tag: str
    type: str
    name: str
    text: str
    top: int
    left: int
    in_view: bool
    indicator: bool

    def matches(self, target: str | re.Pattern[str]) -> bool:
        if isinstance(target, re.Pattern):
            return bool(target.search(self.text)) or bool(target.search(self.name))
        return target in (self.text, self.name)


@dataclass
class Keyboard:
    page: object
    trail: list[Focus] = field(default_factory=list)

    def focused(self) -> Focus | None:
        found = self.page.evaluate(_FOCUSED)
        return Focus(**found) if found else None

    def press(self, key: str) -> None:
        """A key that may act (Enter, Space, an arrow): the test then waits for the result."""
        self.page.keyboard.press(key)

    def move(self, key: str = "Tab") -> Focus | None:
        """A key that moves focus: where the focus went is kept in the trail."""
        self.page.keyboard.press(key)
        now = self.focused()
        if now is not None:
            self.trail.append(now)
        return now

    def tab_to(self, target: str | re.Pattern[str], *, back: bool = False, limit: int = 60):
        """Tab (or Shift+Tab) until the focused element's label, text or name is `target`."""
        for _ in range(limit):
            now = self.move("Shift+Tab" if back else "Tab")
            if now is not None and now.matches(target):
                return now
        raise AssertionError(f"{limit} presses of Tab never reached {target!r}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def replace(self, text: str) -> None:
        """Select what the focused field holds and type over it."""
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def assert_focus_was_always_visible(self) -> None:
        hidden = [f for f in self.trail if not (f.indicator and f.in_view)]
        assert hidden == [], "focus was not visible on:\n" + "\n".join(map(str, hidden))


def assert_reading_order(stops: list[Focus]) -> None:
    """Each stop is below the one before, or to its right on the same line."""
    for before, after in pairwise(stops):
        same_line = abs(after.top - before.top) <= 4
        assert (same_line and after.left > before.left) or (
            not same_line and after.top > before.top
        ), f"focus jumped back up the page from {before} to {after}"
