"""Administration: users, organisations, cohorts and enrolments."""

# Imported so their routes register on `bp`.
from app.admin import views  # noqa: F401
from app.admin.blueprint import bp

__all__ = ["bp"]
