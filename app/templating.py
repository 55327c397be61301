"""Template globals: the role-aware navigation and small formatting filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from flask import Flask, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    roles: tuple[str, ...] = ()  # empty: everyone signed in


NAVIGATION = (
    NavItem("My portfolio", "trainee.home", ("trainee",)),
    NavItem("My registration", "registration.overview", ("trainee",)),
    NavItem("My trainees", "supervisor.home", ("supervisor",)),
    NavItem("Cohorts", "lead.home", ("lead",)),
    NavItem("Dashboard", "lead.dashboard", ("lead", "supervisor")),
    NavItem("Registrations", "registration.people", ("supervisor", "lead")),
    NavItem("Administration", "admin.home", ("admin",)),
    NavItem("Frameworks", "main.frameworks"),
)


_fixed_urls: dict[tuple, str] = {}


def fixed_url(endpoint: str, **values: str) -> str:
    """`url_for` for a link that depends on nothing but its arguments (the layout's links
    and files), remembered per application root: every page asks for a dozen of them."""
    key = (request.script_root, endpoint, *sorted(values.items()))
    found = _fixed_urls.get(key)
    if found is None:
        found = _fixed_urls[key] = url_for(endpoint, **values)
    return found


def navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if item.roles and not current_user.has_role(*item.roles):
            continue
        href = fixed_url(item.endpoint)
        current = request.endpoint == item.endpoint
        active = not current and (request.blueprint or "") == item.endpoint.split(".")[0] != "main"
        items.append({"text": item.text, "href": href, "current": current, "active": active})
    return items


def pagination(page: int, pages: int, href: Callable[[int], str]) -> dict | None:
    """Params for the NHS pagination component: first, last, and the pages either side."""
    if pages <= 1:
        return None
    shown = sorted({1, pages, *range(max(1, page - 1), min(pages, page + 1) + 1)})
    items: list[dict] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page})
        previous = number
    params: dict = {"items": items}
    if page > 1:
        params["previous"] = {"href": href(page - 1)}
    if page < pages:
        params["next"] = {"href": href(page + 1)}
    return params


# A value no real record id or code takes, valid for both string and integer converters.
_PLACEHOLDER = "2147483646"
# How werkzeug's converters quote a path segment (werkzeug.routing.converters.BaseConverter).
_SAFE = "!$&'()*+,/:;=@"


def url_maker(endpoint: str, argument: str, **values: object) -> Callable[[object], str]:
    """`url_for(endpoint, argument=value, **values)` for many values, built once.

    Werkzeug walks its routing rules for every URL it builds; for a table of a hundred
    links to the same page that cost more than the rest of the rows. The URL is built
    once with a placeholder and each value is quoted into it as the converter would.
    """
    pattern = url_for(endpoint, **{argument: _PLACEHOLDER}, **values)
    before, found, after = pattern.partition(_PLACEHOLDER)
    if not found or _PLACEHOLDER in after or "?" in before:
        raise ValueError(f"{endpoint}: {argument} is not a part of its path")

    def make(value: object) -> str:
        if type(value) is int:  # most links are to a record id: nothing to quote
            return f"{before}{value}{after}"
        return f"{before}{quote(str(value), safe=_SAFE)}{after}"

    return make


def format_date(value: date | datetime | None) -> str:
    """GOV.UK/NHS style: 1 March 2026."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y} at {value:%H:%M} UTC"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = navigation_items
    app.jinja_env.globals["url_maker"] = url_maker
    app.jinja_env.globals["fixed_url"] = fixed_url
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    register_form_helpers(app)


def register_form_helpers(app: Flask) -> None:
    from app.form_fields import error_anchor, nhsuk_field
    from app.nhsuk_components import render_component

    app.jinja_env.globals["nhsuk_field"] = nhsuk_field
    app.jinja_env.globals["nhsuk_component"] = render_component
    app.jinja_env.globals["error_anchor"] = error_anchor
