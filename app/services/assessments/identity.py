"""The assessor confirms who they are before they see the form's questions.

They give their name, role and, for a registered profession, their number (checked for
the register's shape: GPhC and GMC 7 digits, NMC 8 characters), and we e-mail a 6-digit
code to the address the trainee asked. Only an HMAC of the code is kept (keyed with the
app's secret, so the database alone cannot reveal it), it lasts ASSESSMENT_CODE_MINUTES,
allows ASSESSMENT_CODE_ATTEMPTS tries, and a request gets at most
ASSESSMENT_CODES_PER_REQUEST codes. Every code sent and checked is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app

from app.models.assessments import AssessmentRequest
from app.models.base import utcnow
from app.services.assessments import assessment_mail
from app.services.assessments.requests import AssessorDetails, checked_details
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.notifications.messages import queue_mail
from app.services.portfolio.assessors import NUMBER_FIELD, register_for


def _digest(req: AssessmentRequest, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"assessment:{req.id}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(
    req: AssessmentRequest, name: str, role: str, number: str | None, *, now: datetime | None = None
) -> None:
    """Check the identity given for shape, keep it, and e-mail a new code."""
    now = now or utcnow()
    details = checked_details(AssessorDetails(name, req.assessor_email, role, number))
    register = register_for(details.role)
    if register is not None and not details.number:
        raise DomainError(f"Enter your {register} number", "assessor_number")
    config = current_app.config
    if req.codes_sent >= config["ASSESSMENT_CODES_PER_REQUEST"]:
        raise DomainError(
            "We have sent the most codes allowed for this request. Ask the trainee to "
            "send you a new request"
        )
    digits = f"{secrets.randbelow(10**6):06d}"
    req.code_hash = _digest(req, digits)
    req.code_expires_at = now + timedelta(minutes=config["ASSESSMENT_CODE_MINUTES"])
    req.code_attempts = 0
    req.codes_sent += 1
    req.identity_confirmed_at = None
    req.answers = {
        "assessor_name": details.name,
        "assessor_role": details.role,
        NUMBER_FIELD: details.number,
    }
    audit.record(
        "assessment.code_sent",
        "evidence",
        req.evidence_id,
        actor=None,
        data={"request_id": req.id, "codes_sent": req.codes_sent},
    )
    queue_mail(assessment_mail.code(req, digits, req.code_expires_at))


class WrongCode(DomainError):
    """The code was not right; the attempt is counted, so the caller commits it."""


def check_code(req: AssessmentRequest, code: str, *, now: datetime | None = None) -> None:
    """Confirm the assessor's identity with the code, or say why not."""
    now = now or utcnow()
    if req.code_hash is None or req.code_expires_at is None:
        raise DomainError("Ask for a code first", "code")
    if req.code_expires_at <= now:
        raise DomainError("That code has expired. Ask for a new code", "code")
    if req.code_attempts >= current_app.config["ASSESSMENT_CODE_ATTEMPTS"]:
        raise DomainError("You have entered too many wrong codes. Ask for a new code", "code")
    req.code_attempts += 1
    given = "".join((code or "").split())
    right = (
        len(given) == 6
        and given.isdigit()
        and hmac.compare_digest(req.code_hash, _digest(req, given))
    )
    audit.record(
        "assessment.code_checked",
        "evidence",
        req.evidence_id,
        actor=None,
        data={"request_id": req.id, "confirmed": right, "attempt": req.code_attempts},
    )
    if not right:
        left = current_app.config["ASSESSMENT_CODE_ATTEMPTS"] - req.code_attempts
        hint = f" You can try {left} more times." if left > 0 else " Ask for a new code."
        raise WrongCode(f"That code is not right.{hint}", "code")
    req.code_hash = None
    req.identity_confirmed_at = now
