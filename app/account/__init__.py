"""The signed-in person's account: API tokens and signing out everywhere."""

# Imported so their routes register on `bp`.
from app.account import views  # noqa: F401
from app.account.blueprint import bp

__all__ = ["bp"]
