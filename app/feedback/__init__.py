"""Pages for colleagues who give multi-source feedback through an e-mailed link: no account."""

# Imported so their routes register on `bp`.
from app.feedback import views  # noqa: F401
from app.feedback.blueprint import bp

__all__ = ["bp"]
