"""NHS.UK design-system components rendered from Python, remembering pure results.

The components are Jinja macros that rebuild their markup from nothing on every call;
a date input alone costs milliseconds, the header more than a millisecond on every page.
Their output depends on their parameters only, so a call whose parameters are data
(text, markup, numbers, lists and dicts of them) is rendered once and then served from a
bounded in-process cache keyed by those parameters. Anything else is always rendered.
"""

from __future__ import annotations

import json
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
}
CACHE_LIMIT = 2048
_cache: dict[str, Markup] = {}


class _NotPlain(Exception):
    pass


def _keyable(value: Any) -> Any:
    """The parameters as JSON data, markup marked as such (the same text renders
    differently as text and as markup); anything else cannot be remembered."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Markup):
        return {"__html__": str(value)}
    if type(value) is str:
        return value
    if isinstance(value, list | tuple):
        return [_keyable(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _keyable(v) for k, v in value.items()}
    raise _NotPlain


def render_component(component: str, params: dict[str, Any]) -> Markup:
    folder, name = MACROS[component]
    try:
        key: str | None = f"{component}:{json.dumps(_keyable(params), sort_keys=True)}"
    except _NotPlain:
        key = None
    if key is not None and (found := _cache.get(key)) is not None:
        return found
    template = current_app.jinja_env.get_template(f"nhsuk/components/{folder}/macro.jinja")
    html: Markup = getattr(template.module, name)(params)  # macros return Markup
    if key is not None:
        if len(_cache) >= CACHE_LIMIT:
            _cache.clear()
        _cache[key] = html
    return html
