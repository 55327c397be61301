"""The trainee's own portfolio: progress, competencies, evidence, files and their record."""

# Imported so their routes register on `bp`.
from app.trainee import attachment_views, evidence_views, record_views, views  # noqa: F401
from app.trainee.blueprint import bp

__all__ = ["bp"]
