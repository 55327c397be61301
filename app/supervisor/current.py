"""The signed-in person, as the supervision views need them."""

from __future__ import annotations

from flask_login import current_user

from app.models.users import User


def me() -> User:
    return current_user._get_current_object()
