"""Deny by default: every view declares who may use it, in one place.

`@roles("trainee")` admits signed-in users holding any of the named roles; `@public`
admits everyone. A view that declares neither is refused for everyone, so a new route
cannot be exposed by forgetting a decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from app.models.users import ROLES

View = TypeVar("View", bound=Callable)

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def roles(*names: str, refusal: str | None = None) -> Callable[[View], View]:
    """`refusal`: the words a signed-in person without the role reads on the 403 page
    (by default, that their account does not have the role)."""
    unknown = set(names) - set(ROLES)
    if unknown or not names:
        raise ValueError(f"unknown roles {sorted(unknown)}; choose from {ROLES}")

    def decorate(view: View) -> View:
        view.allowed_roles = frozenset(names)  # type: ignore[attr-defined]
        view.refusal = refusal  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: View) -> View:
    view.allowed_roles = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def signed_in(view: View) -> View:
    """Any signed-in user, whatever their roles (their own account pages)."""
    view.allowed_roles = frozenset({AUTHENTICATED})  # type: ignore[attr-defined]
    return view


def allowed_roles_for(endpoint: str) -> frozenset[str]:
    if endpoint == "static":
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", frozenset())


def enforce_route_roles():
    """before_request hook: refuse the request unless the view's roles admit the user."""
    if request.endpoint is None:  # no route matched: let the 404/405 handler answer
        return None
    allowed = allowed_roles_for(request.endpoint)
    if PUBLIC in allowed:
        return None
    if not current_user.is_authenticated:
        if request.blueprint == "api":
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if AUTHENTICATED in allowed or current_user.has_role(*allowed):
        return None
    refused = Forbidden()
    refused.refusal = getattr(current_app.view_functions[request.endpoint], "refusal", None)
    raise refused
