"""Supervision pages: reviews, the supervision record, sessions and signing."""

# Imported so their routes register on `bp`.
from app.supervisor import (  # noqa: F401
    credential_views,
    development_views,
    feedback_views,
    gap_analysis_views,
    signing_views,
    views,
)
from app.supervisor.blueprint import bp

__all__ = ["bp"]
