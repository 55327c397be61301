"""The person the request is for, as the model every page and the API pass to services."""

from __future__ import annotations

from typing import cast

from flask_login import current_user

from app.models.users import User


def me() -> User:
    """The signed-in user (a page's session, or the API's bearer token, which Flask-Login
    loads through the same `current_user`), as the model rather than the proxy."""
    return cast(User, current_user._get_current_object())  # type: ignore[attr-defined]
