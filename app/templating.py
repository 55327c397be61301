"""Template globals: the role-aware navigation and small formatting filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

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


def navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if item.roles and not current_user.has_role(*item.roles):
            continue
        href = url_for(item.endpoint)
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
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    register_form_helpers(app)


def register_form_helpers(app: Flask) -> None:
    from app.form_fields import error_anchor, nhsuk_field
    from app.nhsuk_components import render_component

    app.jinja_env.globals["nhsuk_field"] = nhsuk_field
    app.jinja_env.globals["nhsuk_component"] = render_component
    app.jinja_env.globals["error_anchor"] = error_anchor
