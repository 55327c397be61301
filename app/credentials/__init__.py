"""Credentials in public: the verify page, the issuer's keys and the revocation status
lists; and the clinical supervisor's page revoking a completion's credential."""

from app.credentials import revoke_views, views  # noqa: F401  (registers the routes)
from app.credentials.blueprint import bp

__all__ = ["bp"]
