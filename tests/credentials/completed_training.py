"""A trainee whose training is signed off as complete, so a credential was issued through
the real services; and the helpers the verify and status tests share."""

# The fixtures below take the supervision fixtures imported here as parameters.
# ruff: noqa: F811

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.credentials import IssuedCredential
from app.services.clock import uk_today
from app.services.credentials import revocation
from app.services.supervision import completion
from tests.supervision.conftest import (  # noqa: F401 - fixtures the ones below build on
    accepted,
    enrol,
    enrolment,
    fresh,
    org,
    qualified,
    ready,
    registered,
    sign,
    small_framework,
    submitted,
    supervisor,
    trainee,
)


@pytest.fixture
def signed_and_checked(enrolment, ready, sign, registered, qualified, trainee):
    """The trainee's enrolment, every competency signed off, registration and Level 3
    checked: ready for the final sign-off."""
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    registered(trainee)
    qualified(trainee)
    return enrolment


def complete(enrolment):
    """The final sign-off by the clinical supervisor, committed."""
    record = completion.complete(
        enrolment,
        signer=enrolment.clinical_supervisor,
        authenticated_at=fresh(),
        today=uk_today(),
    )
    db.session.commit()
    return record


@pytest.fixture
def completed(signed_and_checked):
    """The trainee's enrolment, the training completed (so a credential was issued)."""
    complete(signed_and_checked)
    return signed_and_checked


@pytest.fixture
def issued(completed) -> IssuedCredential:
    return db.session.scalar(
        select(IssuedCredential).where(IssuedCredential.enrolment_id == completed.id)
    )


@pytest.fixture
def credential(issued) -> dict:
    """The signed credential as the technician downloads it."""
    return json.loads(issued.document)


def revoke(enrolment, reason: str = "The completion was signed on a lapsed registration."):
    record = revocation.revoke(
        enrolment, actor=enrolment.clinical_supervisor, reason=reason, authenticated_at=fresh()
    )
    db.session.commit()
    return record
