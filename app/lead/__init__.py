"""Cohorts, the cohort dashboard and its exports, for leads and supervisors."""

# Imported so their routes register on `bp`.
from app.lead import dashboard, exports, people_views, records, views  # noqa: F401
from app.lead.blueprint import bp

__all__ = ["bp"]
