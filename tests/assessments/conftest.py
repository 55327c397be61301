"""What the assessment-request tests share: a draft waiting for its assessor, the e-mails
in the outbox, and a clock to move the links on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.models.base import utcnow
from app.services.accounts import one_time_links
from app.services.assessments import identity, requests
from tests.evidence.conftest import (  # noqa: F401 - fixtures shared with the evidence tests
    enrolment,
    log_evidence,
    make_trainee,
    org,
    supervisor,
    trainee,
)
from tests.supervision.conftest import sent_mail

ASSESSOR = "ana.assessor@nhs.example"
LINK = re.compile(r"^http://127\.0\.0\.1:5000(/assess/[A-Za-z0-9_-]+)$", re.M)
CODE = re.compile(r"Your code to confirm it is you is: ([0-9 ]{11})\.")


def mail_to(app, address: str):
    return [m for m in sent_mail(app) if m["To"] == address]


def text_of(message) -> str:
    return message.get_content()


def link_in(message) -> str:
    found = LINK.findall(text_of(message))
    assert len(found) == 1, text_of(message)
    return found[0]


def code_in(message) -> str:
    return CODE.search(text_of(message)).group(1).replace(" ", "")


@pytest.fixture
def draft(enrolment, log_evidence):  # noqa: F811
    """An observation waiting for its assessor to complete the assessor's part."""
    return log_evidence(enrolment, "work-based-observation", ["D1.1"], completed_by="assessor")


@pytest.fixture
def clock(monkeypatch):
    """Move the links' and codes' clock on: `clock(days=31)`."""

    def move(**delta: float):
        later = utcnow() + timedelta(**delta)
        for module in (one_time_links, requests, identity):
            monkeypatch.setattr(module, "utcnow", lambda: later)
        return later

    return move


REQUEST_BODY = {
    "assessor_name": "Ana Assessor",
    "assessor_email": ASSESSOR,
    "assessor_role": "pharmacist",
    "assessor_number": "2000009",
}
IDENTITY_BODY = {
    "assessor_name": "Ana Assessor",
    "assessor_role": "pharmacist",
    "assessor_number": "2000009",
}
ANSWERS_BODY = {
    "went_well": "Clear explanation of the inhaler technique",
    "development": "Check understanding at the end",
    "overall_judgement": "at",
    "declaration": "y",
}


def complete_by_service(app, item, by, role="pharmacist", number="2000009"):
    """The assessor completes `item` (through the services, code read from the outbox)."""
    from app.extensions import db
    from app.services.assessments import completion

    details = requests.AssessorDetails("Ana Assessor", ASSESSOR, role, number)
    req = requests.ask(item, details, actor=by).request
    db.session.commit()
    identity.send_code(req, "Ana Assessor", role, number)
    db.session.commit()
    identity.check_code(req, code_in(mail_to(app, ASSESSOR)[-1]))
    answers = {"went_well": "Good", "development": "More", "overall_judgement": "at"}
    completion.complete(req, answers, declared=True)
    db.session.commit()
    return req
