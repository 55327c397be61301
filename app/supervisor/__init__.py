"""Supervision pages: reviews, the supervision record, sessions and signing."""

# Imported so their routes register on `bp`.
from app.supervisor import development_views, signing_views, views  # noqa: F401
from app.supervisor.blueprint import bp

__all__ = ["bp"]
