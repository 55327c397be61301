"""The signed-in person's account: API tokens, two-factor sign-in and signing out
everywhere."""

# Imported so their routes register on `bp`.
from app.account import (
    two_factor_views,  # noqa: F401
    views,  # noqa: F401
)
from app.account.blueprint import bp

__all__ = ["bp"]
