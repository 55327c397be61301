"""Asking a named assessor to complete an evidence item, and withdrawing the request.

- Only the trainee asks, from a draft of a type an assessor can complete, and only while
  nobody has completed that item already.
- The e-mail carries a one-time link (`one_time_links`, purpose "assessment"): 256 random
  bits, only its hash stored, lasting ASSESSMENT_LINK_DAYS. It opens the assessor's pages
  until it is used (at submission), withdrawn by the trainee, or expired.
- A trainee may send ASSESSMENT_REQUESTS_PER_DAY requests in any 24 hours and keep
  ASSESSMENT_OPEN_REQUESTS_MAX waiting at once, so the service cannot be used to send
  e-mail at will.
- Every request, view and withdrawal is written to the audit chain (ids only).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.base import utcnow
from app.models.evidence import Evidence
from app.models.one_time_links import OneTimeLink
from app.models.users import User
from app.services.accounts import one_time_links
from app.services.accounts.one_time_links import LinkProblem, LinkRefused
from app.services.accounts.users import normalise_email
from app.services.assessments import assessment_mail
from app.services.assessments.parts import can_be_requested
from app.services.audit import chain as audit
from app.services.errors import DomainError, NotFound
from app.services.notifications.messages import queue_mail
from app.services.portfolio.assessors import ROLE_LABELS, register_for, registration_number
from app.services.portfolio.evidence_changes import check_trainee, lock_item

PURPOSE = "assessment"
STATUSES = ("sent", "completed", "expired", "withdrawn")
STATUS_LABELS = {
    "sent": "Waiting for the assessor",
    "completed": "Completed by the assessor",
    "expired": "Expired",
    "withdrawn": "Withdrawn",
}
NAME_MAX = 200
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class AssessorDetails:
    name: str
    email: str
    role: str
    number: str | None = None


@dataclass(frozen=True)
class IssuedRequest:
    request: AssessmentRequest
    token: str


def status_of(req: AssessmentRequest, now: datetime | None = None) -> str:
    """sent, completed, expired or withdrawn: read from the request's link."""
    now = now or utcnow()
    link = req.link
    if req.completed_at is not None or link.used_at is not None:
        return "completed"
    if link.withdrawn_at is not None:
        return "withdrawn"
    if link.expires_at <= now:
        return "expired"
    return "sent"


def checked_details(details: AssessorDetails) -> AssessorDetails:
    """The assessor's details tidied, or DomainError naming the field at fault."""
    name = _SPACES.sub(" ", details.name or "").strip()
    if not name:
        raise DomainError("Enter the assessor's full name", "assessor_name")
    if len(name) > NAME_MAX:
        raise DomainError(f"The name must be {NAME_MAX} characters or fewer", "assessor_name")
    try:
        email = normalise_email(details.email or "")
    except DomainError as exc:
        raise DomainError(exc.message, "assessor_email") from None
    if details.role not in ROLE_LABELS:
        raise DomainError("Choose the assessor's role", "assessor_role")
    number = (details.number or "").strip() or None
    if register_for(details.role) is None:
        number = None
    elif number is not None:
        try:
            number = registration_number(details.role, number)
        except DomainError as exc:
            raise DomainError(exc.message, "assessor_number") from None
    return AssessorDetails(name, email, details.role, number)


def completed_request(evidence_id: int) -> AssessmentRequest | None:
    """The request whose assessor completed this item, if any (there is at most one)."""
    return db.session.scalar(
        select(AssessmentRequest)
        .where(
            AssessmentRequest.evidence_id == evidence_id,
            AssessmentRequest.completed_at.is_not(None),
        )
        .limit(1)
    )


def _check_limits(actor: User, now: datetime) -> None:
    config = current_app.config
    today = db.session.scalar(
        select(func.count(AssessmentRequest.id)).where(
            AssessmentRequest.requested_by_id == actor.id,
            AssessmentRequest.created_at > now - timedelta(days=1),
        )
    )
    if today >= config["ASSESSMENT_REQUESTS_PER_DAY"]:
        raise DomainError(
            f"You have sent {today} assessment requests in the last 24 hours, the most "
            "allowed. Try again tomorrow",
            "assessor_email",
        )
    waiting = db.session.scalar(
        select(func.count(AssessmentRequest.id))
        .join(OneTimeLink, OneTimeLink.id == AssessmentRequest.link_id)
        .where(AssessmentRequest.requested_by_id == actor.id, *_open_link(now))
    )
    if waiting >= config["ASSESSMENT_OPEN_REQUESTS_MAX"]:
        raise DomainError(
            f"You have {waiting} assessment requests waiting for an answer, the most "
            "allowed. Withdraw one you no longer need, or wait for answers",
            "assessor_email",
        )


def _open_link(now: datetime):
    return (
        OneTimeLink.used_at.is_(None),
        OneTimeLink.withdrawn_at.is_(None),
        OneTimeLink.expires_at > now,
    )


def ask(
    evidence: Evidence, details: AssessorDetails, *, actor: User, now: datetime | None = None
) -> IssuedRequest:
    """Send a named assessor a one-time link to complete the assessor's part."""
    now = now or utcnow()
    check_trainee(evidence.enrolment, actor)
    lock_item(evidence)
    if not can_be_requested(evidence.evidence_type):
        raise DomainError(
            f"An assessor cannot complete a {evidence.evidence_type.label.lower()}: there is "
            "no assessor's part to fill in"
        )
    if evidence.status != "draft":
        raise DomainError(
            "Ask for an assessment while the evidence is a draft: change it first, then ask",
            "status",
        )
    if completed_request(evidence.id) is not None:
        raise DomainError("An assessor has already completed this evidence")
    details = checked_details(details)
    _check_limits(actor, now)
    lifetime = timedelta(days=current_app.config["ASSESSMENT_LINK_DAYS"])
    issued = one_time_links.issue(
        PURPOSE, lifetime=lifetime, email=details.email, actor=actor, now=now
    )
    req = AssessmentRequest(
        evidence=evidence,
        link=issued.link,
        requested_by_id=actor.id,
        created_at=now,
        assessor_name=details.name,
        assessor_email=details.email,
        assessor_role=details.role,
        assessor_number=details.number,
        answers={},
    )
    db.session.add(req)
    db.session.flush()
    audit.record(
        "assessment.requested",
        "evidence",
        evidence.id,
        actor=actor,
        data={"request_id": req.id, "version": evidence.current_version_number},
    )
    queue_mail(assessment_mail.request(req, issued.token, actor.name, issued.link.expires_at))
    return IssuedRequest(req, issued.token)


def requests_for(evidence: Evidence) -> Sequence[AssessmentRequest]:
    return db.session.scalars(
        select(AssessmentRequest)
        .where(AssessmentRequest.evidence_id == evidence.id)
        .options(selectinload(AssessmentRequest.link))
        .order_by(AssessmentRequest.created_at.desc(), AssessmentRequest.id.desc())
    ).all()


def own_request(evidence: Evidence, request_id: int) -> AssessmentRequest:
    """The item's request with this id, or NotFound."""
    req = db.session.get(AssessmentRequest, request_id)
    if req is None or req.evidence_id != evidence.id:
        raise NotFound("Assessment request not found")
    return req


def _close_link(req: AssessmentRequest, now: datetime, **values) -> None:
    """Change the request's link only while it is still open: one UPDATE, so a withdrawal
    and a submission racing each other cannot both succeed."""
    result = db.session.execute(
        update(OneTimeLink).where(OneTimeLink.id == req.link_id, *_open_link(now)).values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(req.link)
    if result.rowcount != 1:
        raise LinkRefused(_problem(req, now))


def _problem(req: AssessmentRequest, now: datetime) -> LinkProblem:
    status = status_of(req, now)
    return {"completed": LinkProblem.USED, "withdrawn": LinkProblem.WITHDRAWN}.get(
        status, LinkProblem.EXPIRED
    )


def withdraw(req: AssessmentRequest, *, actor: User, now: datetime | None = None) -> None:
    """The trainee withdraws a request still waiting: its link stops working."""
    now = now or utcnow()
    check_trainee(req.evidence.enrolment, actor)
    try:
        _close_link(req, now, withdrawn_at=now)
    except LinkRefused:
        raise DomainError(
            f"This request is {STATUS_LABELS[status_of(req, now)].lower()}: "
            "only a request still waiting can be withdrawn"
        ) from None
    audit.record(
        "assessment.withdrawn",
        "evidence",
        req.evidence_id,
        actor=actor,
        data={"request_id": req.id},
    )


def use_up(req: AssessmentRequest, now: datetime) -> None:
    """Mark the link used, atomically; LinkRefused when it is no longer open."""
    _close_link(req, now, used_at=now)


def for_assessor(token: str, *, now: datetime | None = None) -> AssessmentRequest:
    """The request a link opens, while it is open; otherwise LinkRefused saying why."""
    link = one_time_links.check(PURPOSE, token, now=now)
    req = db.session.scalar(select(AssessmentRequest).where(AssessmentRequest.link_id == link.id))
    if req is None:
        raise LinkRefused(LinkProblem.UNKNOWN)
    return req


def opened(req: AssessmentRequest) -> None:
    """Record that the assessor's pages were opened (the audit of each view)."""
    audit.record(
        "assessment.viewed", "evidence", req.evidence_id, actor=None, data={"request_id": req.id}
    )


def complete_in_person(req: AssessmentRequest, *, actor: User, now: datetime | None = None) -> str:
    """A fresh link for completing the form now, on the trainee's device; the e-mailed
    link stops working. The code is still sent to the assessor's address."""
    now = now or utcnow()
    check_trainee(req.evidence.enrolment, actor)
    try:
        _close_link(req, now, withdrawn_at=now)
    except LinkRefused:
        raise DomainError(
            f"This request is {STATUS_LABELS[status_of(req, now)].lower()}: "
            "send a new request to complete it together"
        ) from None
    lifetime = timedelta(days=current_app.config["ASSESSMENT_LINK_DAYS"])
    issued = one_time_links.issue(
        PURPOSE, lifetime=lifetime, email=req.assessor_email, actor=actor, now=now
    )
    req.link = issued.link
    req.in_person = True
    db.session.flush()
    audit.record(
        "assessment.in_person",
        "evidence",
        req.evidence_id,
        actor=actor,
        data={"request_id": req.id},
    )
    return issued.token
