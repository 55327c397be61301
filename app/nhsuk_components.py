"""NHS.UK design-system components rendered from Python: each is the nhsuk-frontend-jinja
macro of the component, by the name templates and form fields use.

Output depends on the parameters only, so a call whose parameters are data (text, markup,
numbers, lists and dicts of them) is rendered once and then served from a bounded
in-process cache keyed by those parameters. Anything else is always rendered.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from markupsafe import Markup

# component -> (folder under nhsuk/components, macro name)
MACROS = {
    "input": ("input", "input"),
    "textarea": ("textarea", "textarea"),
    "select": ("select", "select"),
    "radios": ("radios", "radios"),
    "checkboxes": ("checkboxes", "checkboxes"),
    "date": ("date-input", "dateInput"),
    "file": ("file-upload", "fileUpload"),
    "header": ("header", "header"),
    "footer": ("footer", "footer"),
    "skip-link": ("skip-link", "skipLink"),
    "back-link": ("back-link", "backLink"),
    "action-link": ("action-link", "actionLink"),
    "button": ("button", "button"),
    "tag": ("tag", "tag"),
    "inset-text": ("inset-text", "insetText"),
    "warning-callout": ("warning-callout", "warningCallout"),
    "notification-banner": ("notification-banner", "notificationBanner"),
    "pagination": ("pagination", "pagination"),
    "task-list": ("task-list", "taskList"),
}
# Saves re-rendering a component already drawn with the same parameters (milliseconds each).
CACHE_LIMIT = 2048
_cache: dict[str, Markup] = {}


def _plain(value: Any) -> bool:
    """True when the parameters are data (text, markup, numbers, lists and dicts of them),
    whose repr names their type and content, so it can key the cache: markup and text
    with the same characters are kept apart (they render differently)."""
    kind = type(value)
    if kind is str or kind is Markup or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list or kind is tuple:
        return all(_plain(v) for v in value)
    return False


def render_component(component: str, params: dict[str, Any]) -> Markup:
    folder, name = MACROS[component]
    key = f"{component}:{params!r}" if _plain(params) else None
    if key is not None and (found := _cache.get(key)) is not None:
        return found
    template = current_app.jinja_env.get_template(f"nhsuk/components/{folder}/macro.jinja")
    html: Markup = getattr(template.module, name)(params)  # macros return Markup
    if key is not None:
        if len(_cache) >= CACHE_LIMIT:
            _cache.clear()
        _cache[key] = html
    return html
