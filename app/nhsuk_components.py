"""NHS.UK design-system components rendered from Python: each call renders the
nhsuk-frontend-jinja macro of the component, by the name templates and form fields use."""

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
}


def render_component(component: str, params: dict[str, Any]) -> Markup:
    folder, name = MACROS[component]
    template = current_app.jinja_env.get_template(f"nhsuk/components/{folder}/macro.jinja")
    html: Markup = getattr(template.module, name)(params)  # macros return Markup
    return html
