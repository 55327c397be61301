"""Two-factor sign-in switched on as in production (the testing config leaves it off so
that the rest of the suite's supervisors, leads and administrators sign in with a
password), and helpers that go through the pages as a person would."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from bs4 import BeautifulSoup

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from app.services.accounts import two_factor
from tests.conftest import DEFAULT_PASSWORD

PRODUCTION_ROLES = ("admin", "lead", "supervisor")


@pytest.fixture
def mfa_app(app):
    app.config["MFA_REQUIRED_ROLES"] = PRODUCTION_ROLES
    return app


class TotpClock:
    """The service's clock held at a fixed moment, in the middle of a 30-second step, so a
    test says which step each code is for and nothing depends on when it runs."""

    def __init__(self) -> None:
        self.now = (int(time.time()) // 30) * 30 + 15.0

    def code(self, secret: str, steps: int = 0) -> str:
        """The code for the step `steps` away from the clock's (negative: earlier)."""
        return pyotp.TOTP(secret).at(self.now + 30 * steps)

    def move(self, steps: int) -> None:
        self.now += 30 * steps


@pytest.fixture
def totp_clock(monkeypatch) -> TotpClock:
    clock = TotpClock()
    monkeypatch.setattr(two_factor, "clock", lambda: clock.now)
    return clock


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.data, "html.parser").get_text(" ").split())


def secret_on_page(response) -> str:
    """The key as the set-up page shows it (in groups of four), without the spaces."""
    shown = BeautifulSoup(response.data, "html.parser").find(id="setup-secret")
    assert shown is not None, "no key shown on the page"
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{4}", shown.get_text()), shown.get_text()
    return shown.get_text().replace(" ", "")


def recovery_codes_on_page(response) -> list[str]:
    listed = BeautifulSoup(response.data, "html.parser").find(id="recovery-codes")
    assert listed is not None, "no recovery codes shown"
    return [li.get_text(strip=True) for li in listed.find_all("li")]


def audit_actions(user: User) -> list[str]:
    from sqlalchemy import select

    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user.id))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def sign_in_password():
    """The first step: the password only (the answer says what comes next)."""

    def post(client, user: User, password: str = DEFAULT_PASSWORD, next_url: str = ""):
        url = "/auth/login" + (f"?next={next_url}" if next_url else "")
        return client.post(url, data={"email": user.email, "password": password})

    return post


@pytest.fixture
def set_up_through_pages(sign_in_password, totp_clock):
    """Sign in as a person whose role requires two-factor, set it up as they would, and
    return (secret, recovery codes); the client is then signed in. The clock then moves
    on a step, so the next code the person types is a new one."""

    def run(client, user: User):
        first = sign_in_password(client, user)
        assert first.headers["Location"].endswith("/auth/two-factor/set-up")
        started = client.post("/auth/two-factor/set-up", data={"start": "1"})
        assert started.status_code == 302
        page = client.get("/auth/two-factor/set-up")
        secret = secret_on_page(page)
        done = client.post("/auth/two-factor/set-up", data={"code": totp_clock.code(secret)})
        assert done.status_code == 200, page_text(done)
        totp_clock.move(1)
        return secret, recovery_codes_on_page(done)

    return run


@pytest.fixture
def enable_for(set_up_through_pages, app):
    """A supervisor, lead or administrator with two-factor on, set up through the pages;
    returns (secret, recovery codes) and leaves no one signed in."""

    def run(user: User) -> tuple[str, list[str]]:
        return set_up_through_pages(app.test_client(), user)

    return run
