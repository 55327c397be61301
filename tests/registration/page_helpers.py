"""Helpers for the registration page tests: reading pages and filling NHS date inputs."""

from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.services.registration import records as registration
from app.services.registration.records import RegistrationDetails

TODAY = utcnow().date()
REGISTERED_ON = date(TODAY.year - 2, 3, 1)
CURRENT_EXPIRY = TODAY + timedelta(days=400)


def page(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.data, "html.parser")


def text(soup: BeautifulSoup, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"{selector} not on the page"
    return " ".join(found.get_text(" ", strip=True).split())


def date_fields(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}[day]": str(day.day),
        f"{name}[month]": str(day.month),
        f"{name}[year]": str(day.year),
    }


def registered(person, *, expires_on=CURRENT_EXPIRY, verified_by=None):
    row = registration.record_registration(
        person,
        RegistrationDetails(
            "pharmacy-technician", "registered", "5012345", REGISTERED_ON, expires_on
        ),
        actor=person,
    )
    if verified_by is not None:
        registration.verify_registration(person, row.id, actor=verified_by, today=TODAY)
    db.session.commit()
    return row


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
