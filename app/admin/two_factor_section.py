"""The two-factor part of a person's page in administration (`admin/_two_factor.jinja`)."""

from __future__ import annotations

from app.admin.forms import ConfirmForm
from app.models.users import User
from app.services.accounts import two_factor


def two_factor_context(person: User) -> dict:
    """What the person's page shows of their two-factor sign-in, and the reset button."""
    return {
        "two_factor_on": two_factor.is_enabled(person),
        "two_factor_required": two_factor.is_required(person),
        "two_factor_form": ConfirmForm(),
    }
