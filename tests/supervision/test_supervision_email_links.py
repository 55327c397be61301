"""E-mail links come from BASE_URL, never from the request's Host header.

A review sent with `Host: evil.example` once produced an e-mail pointing its trainee at
evil.example; the daily digest, sent by a command with no request at all, linked to a
bare path. Every link in every message is now BASE_URL followed by a path of the service.
"""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.services.accounts import api_tokens
from app.services.notifications import messages as notifications
from tests.conftest import DEFAULT_PASSWORD
from tests.supervision.conftest import sent_mail

BASE = "https://pcpt.example.nhs.uk"
FORGED = "evil.example"


@pytest.fixture(autouse=True)
def base_url(app):
    app.config["BASE_URL"] = BASE


def links_in(message) -> list[str]:
    return re.findall(r"\w+://\S+", message.get_content())


def assert_links_only_to_base_url(message, path: str) -> None:
    assert links_in(message) == [BASE + path]
    assert FORGED not in message.as_string()


def test_a_review_sent_with_a_forged_host_emails_a_link_to_base_url(
    app, supervisor, enrolment, submitted
):
    item = submitted(enrolment, "reflective-account", ["B1"])
    client = app.test_client()
    # Signed in through the same host, so the test client sends the session cookie to it.
    signed_in = client.post(
        "/auth/login",
        data={"email": supervisor.email, "password": DEFAULT_PASSWORD},
        headers={"Host": FORGED},
    )
    assert signed_in.status_code == 302

    comment = "Say what you would change."
    response = client.post(
        f"/supervision/evidence/{item.id}/review",
        data={"decision": "changes_requested", "comment": comment, "version": "1"},
        headers={"Host": FORGED},
    )

    assert response.status_code == 302
    assert FORGED not in response.headers["Location"]
    [message] = sent_mail(app)
    assert message["Subject"] == "Your supervisor asked for changes"
    assert_links_only_to_base_url(message, f"/portfolio/evidence/{item.id}")


def test_an_api_review_sent_with_a_forged_host_emails_a_link_to_base_url(
    app, supervisor, enrolment, submitted
):
    item = submitted(enrolment, "reflective-account", ["B1"])
    token = api_tokens.create_token(supervisor)
    db.session.commit()

    response = app.test_client().post(
        f"/api/v1/evidence/{item.id}/reviews",
        json={"decision": "accepted", "comment": ""},
        headers={"Host": FORGED, "Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.get_json()
    [message] = sent_mail(app)
    assert message["Subject"] == "Your evidence was accepted"
    assert_links_only_to_base_url(message, f"/portfolio/evidence/{item.id}")


def test_the_daily_digest_links_to_the_review_queue_under_base_url(
    app, runner, enrolment, submitted, supervisor
):
    submitted(enrolment, "reflective-account", ["B1"])

    result = runner.invoke(args=["notifications", "send-digest"])

    assert result.exit_code == 0, result.output
    assert "digests sent: 1" in result.output
    [message] = sent_mail(app)
    assert message["To"] == supervisor.email
    assert_links_only_to_base_url(message, notifications.path_for("supervisor.home"))
    assert links_in(message) == [f"{BASE}/supervision/"]
