"""Signing in and out."""

# Imported so their routes register on `bp`.
from app.auth import (
    link_views,  # noqa: F401
    session_views,  # noqa: F401
    single_sign_on,  # noqa: F401
    two_factor_views,  # noqa: F401
    views,  # noqa: F401
)
from app.auth.blueprint import bp

__all__ = ["bp"]
