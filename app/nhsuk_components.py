"""NHS.UK design-system components rendered from Python, remembering pure results.

The components are Jinja macros that rebuild their markup from nothing on every call;
a date input alone costs milliseconds. Their output depends on their parameters only,
so a call whose parameters are plain data (no markup, no objects) is rendered once and
then served from a bounded in-process cache. Calls carrying markup are always rendered.
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
}
CACHE_LIMIT = 2048
_cache: dict[str, Markup] = {}


def _plain(value: Any) -> bool:
    """JSON-like data only: a Markup (or any other object) might render differently."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return type(value) is str
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def render_component(component: str, params: dict[str, Any]) -> Markup:
    folder, name = MACROS[component]
    key = None
    if _plain(params):
        key = f"{component}:{json.dumps(params, sort_keys=True)}"
        found = _cache.get(key)
        if found is not None:
            return found
    template = current_app.jinja_env.get_template(f"nhsuk/components/{folder}/macro.jinja")
    html: Markup = getattr(template.module, name)(params)  # macros return Markup
    if key is not None:
        if len(_cache) >= CACHE_LIMIT:
            _cache.clear()
        _cache[key] = html
    return html
