"""Registration, qualification, training log and revalidation pages."""

# Imported so their routes register on `bp`.
from app.registration import oversight, revalidation_views, signer_views, views  # noqa: F401
from app.registration.blueprint import bp

__all__ = ["bp"]
