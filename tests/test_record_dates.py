"""Which dates a record may carry: one rule for each kind of date, whichever way it arrives.

The API stored evidence dated year 1 or 1900 that the evidence page would not; a
registration expiring in 2099 was accepted. Evidence dates now go through one check in
the evidence service, which the pages and the API both reach; registration and Level 3
dates through one check in the registration rules, which every caller of the services
reaches (the pages and the demo data; the API only reads these records).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.services.calendar_months import add_months
from app.services.clock import uk_today
from app.services.registration.rules import (
    RenewalRules,
    latest_expiry,
    registration_date_problems,
)
from app.services.rule_results import long_date
from tests.security.world import build_world, fingerprint, signed_in_client
from tests.trainee.conftest import date_parts, error_summary, evidence_form, soup

TOO_EARLY = "Date of the activity must be 1 January 2000 or later: check the year"
FUTURE = "Date of the activity must be today or in the past"


@pytest.fixture
def world(app, make_user, make_org, framework):
    return build_world(app, make_user, make_org, framework)


def _api_body(world, day: date) -> dict:
    return {
        "type": "reflective-account",
        "title": "Spacer technique",
        "occurred_on": day.isoformat(),
        "competencies": [world.args["competency_code"]],
        "answers": {
            "what_happened": "A patient asked about spacers.",
            "so_what": "Technique matters more than the device.",
            "now_what": "Check technique at every review.",
        },
    }


def _page_form(world, day: date) -> dict:
    data = evidence_form("reflective-account", [world.args["competency_code"]])
    data.update(date_parts("occurred_on", day))
    return data


# --- Evidence: the same rule through the API and the page -------------------------------------


def _tomorrow() -> date:
    return uk_today() + timedelta(days=1)


def on_the_day(value):
    """A value that depends on today, worked out when the test runs rather than when pytest
    collects it (a run that crosses midnight would otherwise compare two different days)."""
    return value() if callable(value) else value


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(1, 1, 1), TOO_EARLY),
        (date(1900, 1, 1), TOO_EARLY),
        (date(1999, 12, 31), TOO_EARLY),
        (_tomorrow, FUTURE),
    ],
    ids=["year-1", "1900", "the-day-before", "tomorrow"],
)
def test_the_api_refuses_an_evidence_date_the_page_refuses(app, world, login, day, message):
    day = on_the_day(day)
    client = signed_in_client(app, login, world.users["owner"])
    before = fingerprint(app)

    response = client.post("/api/v1/evidence", json=_api_body(world, day))

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"occurred_on": message}
    assert fingerprint(app) == before


@pytest.mark.parametrize(
    ("day", "message"),
    [
        # The date boxes refuse years before 1900 themselves, as impossible to mean.
        (date(1, 1, 1), "Date of the activity must be a real date"),
        (date(1900, 1, 1), TOO_EARLY),
        (date(1999, 12, 31), TOO_EARLY),
        (_tomorrow, FUTURE),
    ],
    ids=["year-1", "1900", "the-day-before", "tomorrow"],
)
def test_the_page_refuses_the_same_evidence_dates(app, world, login, day, message):
    day = on_the_day(day)
    client = signed_in_client(app, login, world.users["owner"])
    before = fingerprint(app)

    response = client.post(
        "/portfolio/evidence/new/reflective-account", data=_page_form(world, day)
    )

    assert response.status_code == 200
    assert (message, "#occurred_on-day") in error_summary(soup(response))
    assert fingerprint(app) == before


@pytest.mark.parametrize("day", [date(2000, 1, 1), uk_today], ids=["earliest", "today"])
def test_the_first_and_last_days_allowed_are_accepted_by_both(app, world, login, day):
    day = on_the_day(day)
    client = signed_in_client(app, login, world.users["owner"])
    assert client.post("/api/v1/evidence", json=_api_body(world, day)).status_code == 201
    page = client.post("/portfolio/evidence/new/reflective-account", data=_page_form(world, day))
    assert page.status_code == 302, error_summary(soup(page))


# --- Registration and Level 3 ---------------------------------------------------------------


def test_the_latest_expiry_is_a_year_beyond_the_earliest_renewal():
    # Renewal opens with the GPhC's notice, 3 months before a deadline 2 months before
    # expiry; a year is then added to that expiry.
    assert latest_expiry(date(2025, 6, 1)) == date(2026, 11, 1)
    assert latest_expiry(date(2025, 6, 1), RenewalRules(renewal_lead_months=1)) == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("registered_on", "expires_on", "problems"),
    [
        (date(2024, 3, 1), date(2026, 11, 1), []),
        (
            date(2024, 3, 1),
            date(2026, 11, 2),
            [
                "The expiry date cannot be later than 1 November 2026 (registration is renewed "
                "every year): check the year"
            ],
        ),
        (
            date(1949, 12, 15),
            date(2025, 12, 31),
            ["The date you joined the register must be 1 January 1950 or later: check the year"],
        ),
        (
            date(2026, 6, 15),
            None,
            ["The date you joined the register cannot be later than 1 June 2026: check the year"],
        ),
    ],
    ids=["latest-expiry", "a-day-beyond", "before-1950", "joining-over-a-year-ahead"],
)
def test_registration_dates_outside_a_career_are_refused(registered_on, expires_on, problems):
    today = date(2025, 6, 1)
    assert registration_date_problems(registered_on, expires_on, today=today) == problems


def _registration_form(expires_on: date, registered_on: date | None = None) -> dict:
    registered_on = registered_on or date(uk_today().year - 2, 3, 1)
    return {
        "register": "pharmacy-technician",
        "status": "registered",
        "number": "5098765",
        **date_parts("registered_on", registered_on),
        **date_parts("expires_on", expires_on),
    }


def test_a_registration_expiring_in_2099_is_refused_on_the_page(app, world, login):
    client = signed_in_client(app, login, world.users["owner"])
    before = fingerprint(app)

    response = client.post("/registration/details", data=_registration_form(date(2099, 3, 1)))

    assert response.status_code == 200
    latest = long_date(add_months(uk_today(), 17))
    message = (
        f"The expiry date cannot be later than {latest} (registration is renewed every year): "
        "check the year"
    )
    assert (message, "#expires_on-day") in error_summary(soup(response))
    assert fingerprint(app) == before


def test_a_registration_expiring_at_the_latest_day_is_saved(app, world, login):
    client = signed_in_client(app, login, world.users["owner"])
    response = client.post(
        "/registration/details", data=_registration_form(add_months(uk_today(), 17))
    )
    assert response.status_code == 302, error_summary(soup(response))


@pytest.mark.parametrize(
    ("status", "started_on", "achieved_on", "anchor", "message"),
    [
        (
            "achieved",
            date(1900, 9, 1),
            date(2022, 1, 6),
            "#started_on-day",
            "The course start date must be 1 January 1950 or later: check the year",
        ),
        (
            "enrolled",
            date(2099, 9, 1),
            None,
            "#started_on-day",
            lambda: (
                f"The course start date cannot be later than "
                f"{long_date(add_months(uk_today(), 12))}: check the year"
            ),
        ),
        (
            "achieved",
            date(2020, 1, 6),
            date(2099, 1, 6),
            "#achieved_on-day",
            lambda: (
                f"The achievement date cannot be later than "
                f"{long_date(add_months(uk_today(), 12))}: check the year"
            ),
        ),
    ],
    ids=["start-in-1900", "start-in-2099", "achieved-in-2099"],
)
def test_level_3_dates_outside_a_career_are_refused_on_the_page(
    app, world, login, status, started_on, achieved_on, anchor, message
):
    message = on_the_day(message)
    client = signed_in_client(app, login, world.users["owner"])
    before = fingerprint(app)
    data = {
        "kind": "l3-diploma-principles-practice",
        "status": status,
        "awarding_body": "City & Guilds",
        **date_parts("started_on", started_on),
    }
    if achieved_on:
        data.update(date_parts("achieved_on", achieved_on))

    response = client.post("/registration/qualification", data=data)

    assert response.status_code == 200
    assert (message, anchor) in error_summary(soup(response))
    assert fingerprint(app) == before
