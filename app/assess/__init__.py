"""The pages an assessor without an account reaches from an e-mailed assessment link."""

from app.assess import views  # noqa: F401  (registers the routes)
from app.assess.blueprint import bp

__all__ = ["bp"]
