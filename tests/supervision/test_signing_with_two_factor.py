"""Signing off asks a supervisor with two-factor sign-in for a current code as well as the
password; a wrong code refuses the signature with a message and writes nothing."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.signoffs import SignOff
from app.services.accounts import two_factor
from tests.supervision.conftest import competency, make_stale
from tests.two_factor.conftest import page_text

# The service's clock held mid-step, so each code names its step.
NOW = 1_900_000_005.0


@pytest.fixture
def held_clock(monkeypatch):
    monkeypatch.setattr(two_factor, "clock", lambda: NOW)


def _code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(NOW + 30 * steps)


@pytest.fixture
def supervisor_with_code(app, client, supervisor, held_clock):
    """The clinical supervisor, two-factor on, signed in with password and code."""
    two_factor.start_setup(supervisor)
    secret = two_factor.pending_secret(supervisor)
    two_factor.confirm_setup(supervisor, _code(secret, -1), now=NOW)
    db.session.commit()
    first = client.post(
        "/auth/login", data={"email": supervisor.email, "password": "correct horse battery"}
    )
    assert first.headers["Location"] == "/auth/two-factor"
    assert client.post("/auth/two-factor", data={"code": _code(secret)}).status_code == 302
    return secret


def _sign_off_path(enrolment) -> str:
    return (
        f"/supervision/enrolments/{enrolment.id}/competencies/"
        f"{competency(enrolment, 'B1').id}/sign-off"
    )


def _sign_offs() -> int:
    return db.session.scalar(select(func.count()).select_from(SignOff))


def test_signing_off_with_two_factor_needs_a_current_code(
    client, enrolment, ready, supervisor_with_code
):
    secret = supervisor_with_code
    ready(enrolment, "B1")
    make_stale(client)
    to_confirm = client.get(_sign_off_path(enrolment))
    assert to_confirm.headers["Location"].startswith("/auth/confirm?next=")
    confirm_page = client.get(to_confirm.headers["Location"])
    assert "Security code" in page_text(confirm_page)

    # The right password with a wrong code: refused, with a message, nothing signed.
    wrong = client.post(
        to_confirm.headers["Location"],
        data={"password": "correct horse battery", "code": _code(secret, 3)},
    )
    assert wrong.status_code == 200
    assert "The security code is not correct, so nothing was signed" in page_text(wrong)
    attempt = client.post(_sign_off_path(enrolment), data={"outcome": "competent", "comment": ""})
    assert attempt.headers["Location"].startswith("/auth/confirm?next=")
    assert _sign_offs() == 0

    # Without a code at all: the same.
    missing = client.post(
        to_confirm.headers["Location"], data={"password": "correct horse battery"}
    )
    assert "Enter the code from your authenticator app" in page_text(missing)
    assert _sign_offs() == 0

    # The code of the step already used at sign-in is not accepted again.
    replay = client.post(
        to_confirm.headers["Location"],
        data={"password": "correct horse battery", "code": _code(secret)},
    )
    assert "The security code is not correct" in page_text(replay)

    back = client.post(
        to_confirm.headers["Location"],
        data={"password": "correct horse battery", "code": _code(secret, 1)},
    )
    assert back.headers["Location"] == _sign_off_path(enrolment)
    signed = client.post(
        _sign_off_path(enrolment),
        data={"outcome": "competent", "comment": "Checks inhaler technique every time."},
    )
    assert signed.status_code == 302
    assert _sign_offs() == 1


def test_a_supervisor_without_two_factor_confirms_with_the_password_only(
    client, login, supervisor, enrolment, ready
):
    ready(enrolment, "B1")
    login(client, supervisor)
    make_stale(client)
    to_confirm = client.get(_sign_off_path(enrolment))
    page = client.get(to_confirm.headers["Location"])
    assert "Security code" not in page_text(page)
    back = client.post(to_confirm.headers["Location"], data={"password": "correct horse battery"})
    assert back.headers["Location"] == _sign_off_path(enrolment)
