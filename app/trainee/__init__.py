"""The trainee's own portfolio: progress, competencies, evidence, files and their record."""

# Imported so their routes register on `bp`.
from app.trainee import (  # noqa: F401
    assessment_views,
    attachment_views,
    autosave_views,
    development_views,
    evidence_views,
    feedback_views,
    record_views,
    views,
)
from app.trainee.blueprint import bp

__all__ = ["bp"]
