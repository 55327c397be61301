"""The registration year whose revalidation records are kept now."""

from __future__ import annotations

from app.models.registration import Registration
from app.services.errors import DomainError
from app.services.registration.gphc import current_registration
from app.services.registration.revalidation_rules import RevalidationYear, revalidation_year
from app.services.registration.settings import renewal_rules


def current_year(user_id: int) -> tuple[Registration, RevalidationYear] | None:
    """The current registration and its revalidation year, once there is an expiry date."""
    registration = current_registration(user_id)
    if registration is None or registration.status != "registered":
        return None
    if registration.expires_on is None:
        return None
    return registration, revalidation_year(registration.expires_on, renewal_rules())


def year_or_refuse(user_id: int) -> tuple[Registration, RevalidationYear]:
    found = current_year(user_id)
    if found is None:
        raise DomainError(
            "Revalidation records can be kept once a registration with an expiry date is recorded"
        )
    return found
