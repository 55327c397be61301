"""Pages everyone shares: the home redirect, the framework browser, accessibility,
privacy and the health check."""

# Imported so their routes register on `bp`.
from app.main import app_shell, views  # noqa: F401
from app.main.blueprint import bp

__all__ = ["bp"]
