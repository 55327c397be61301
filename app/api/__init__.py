"""The JSON API, version 1 (`/api/v1`): flask-smorest views and their schemas."""

# Imported so their routes register on `bp`.
from app.api import (  # noqa: F401
    assessment_requests,
    credential_checks,
    evidence,
    reports,
    trainee_credentials,
    trainees,
    views,
)
from app.api.blueprint import bp

__all__ = ["bp"]
