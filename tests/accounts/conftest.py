"""What the account tests share: the e-mails in the outbox, and the links inside them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest

from app.models.base import utcnow
from app.services.accounts import one_time_links
from tests.supervision.conftest import sent_mail

LINK = re.compile(r"^(https?://\S+?)(/auth/[a-z-]+/[A-Za-z0-9_-]+)$", re.M)


def mail_to(app, address: str) -> list[EmailMessage]:
    return [m for m in sent_mail(app) if m["To"] == address]


def text_of(message: EmailMessage) -> str:
    return message.get_content()  # type: ignore[attr-defined]


def link_in(message: EmailMessage) -> str:
    """The path of the one link in `message`, checked to start with BASE_URL."""
    found = LINK.findall(text_of(message))
    assert len(found) == 1, text_of(message)
    base, path = found[0]
    assert base == "http://127.0.0.1:5000"
    return path


@pytest.fixture
def clock(monkeypatch):
    """Move the links' clock on: `clock(minutes=61)` is an hour and a minute from now."""

    def move(**delta: float) -> datetime:
        later = utcnow() + timedelta(**delta)
        monkeypatch.setattr(one_time_links, "utcnow", lambda: later)
        return later

    return move
