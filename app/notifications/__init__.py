"""In-app notifications, their count in the header, and e-mail delivery after commit."""

# Imported so their routes register on `bp`.
from app.notifications import views  # noqa: F401
from app.notifications.blueprint import bp

__all__ = ["bp"]
