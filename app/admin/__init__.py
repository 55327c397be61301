"""Administration: users, organisations, cohorts and enrolments."""

# Imported so their routes register on `bp`.
from app.admin import (  # noqa: F401
    account_access_views,
    enrolment_lifecycle_views,
    enrolment_views,
    import_views,
    organisation_views,
    two_factor_views,
    user_views,
    views,
)
from app.admin.blueprint import bp

__all__ = ["bp"]
