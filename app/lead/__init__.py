"""Cohorts, the cohort dashboard and its exports, for leads and supervisors."""

# Imported so their routes register on `bp`.
from app.lead import (  # noqa: F401
    background_exports,
    dashboard,
    exports,
    framework_move_views,
    framework_publish_views,
    people_views,
    records,
    views,
)
from app.lead.blueprint import bp

__all__ = ["bp"]
