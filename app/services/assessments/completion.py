"""The assessor's submission, the lock on it, and how an item says who completed it.

- The assessor submits once: their answers, the identity they confirmed with the e-mailed
  code, and a declaration. The link is used up in the same transaction by one UPDATE
  that only an open link passes, so a second tab, or a withdrawal at the same moment,
  cannot also succeed.
- The answers go into the item's draft (a submitted item gets a new draft version, as
  any change does), and that version is the one assessed. From then on the assessor's
  answers are locked: the trainee cannot change them, and a later edit of the item's own
  text makes a new version, so the assessed version stays as the assessor left it.
- The assessor gets a receipt: "completed in your name".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.base import utcnow
from app.models.evidence import Evidence, EvidenceVersion
from app.services.assessments import assessment_mail
from app.services.assessments.parts import ASSESSED_ON, assessor_form, locked_names
from app.services.assessments.requests import completed_request, status_of, use_up
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.notifications.messages import queue_mail
from app.services.portfolio.assessment_forms import clean_answers
from app.services.portfolio.assessment_scales import COMPLETED_BY_FIELD
from app.services.portfolio.content import form_of, guard_patient_data, set_content
from app.services.portfolio.evidence_changes import editable_version, lock_item, sync_current
from app.services.portfolio.form_answers import FormInvalid

ASSESSOR_LINE = "Completed by the assessor, identity confirmed by email code"
TRAINEE_LINE = "Entered by the trainee"


def complete(
    req: AssessmentRequest,
    answers: Mapping[str, object],
    *,
    declared: bool,
    now: datetime | None = None,
) -> EvidenceVersion:
    """Record the assessor's part; FormInvalid, DomainError or LinkRefused otherwise."""
    now = now or utcnow()
    today = uk_today(now)
    if req.identity_confirmed_at is None:
        raise DomainError("Confirm who you are with the emailed code first")
    evidence = req.evidence
    values, errors = {}, {}
    try:
        values = clean_answers(assessor_form(evidence.evidence_type), answers, today=today)
    except FormInvalid as invalid:
        errors = dict(invalid.errors)
    if not declared:
        errors["declaration"] = "Confirm the declaration to submit your assessment"
    if errors:
        raise FormInvalid(errors)
    guard_patient_data(list(values.items()), confirmed=True, today=today)
    use_up(req, now)  # LinkRefused when another tab, or a withdrawal, came first
    lock_item(evidence)
    if completed_request(evidence.id) is not None:
        raise DomainError("Another assessor has already completed this evidence")
    trainee = evidence.enrolment.trainee
    version, _ = editable_version(evidence, trainee)
    mine = {**values, **req.answers, ASSESSED_ON: today.isoformat(), COMPLETED_BY_FIELD: "assessor"}
    merged = {
        **version.fields,
        **mine,
        "title": version.title,
        "occurred_on": version.occurred_on.isoformat(),
    }
    links = [(link.competency, link.note) for link in version.links]
    set_content(version, merged, links, form_of(evidence.evidence_type))
    sync_current(evidence, version)
    req.completed_at = now
    req.version_number = version.number
    req.answers = {k: v for k, v in mine.items() if k != COMPLETED_BY_FIELD}
    audit.record(
        "assessment.completed",
        "evidence",
        evidence.id,
        actor=None,
        data={
            "request_id": req.id,
            "version": version.number,
            "content_sha256": version.content_sha256,
            "in_person": req.in_person,
        },
    )
    queue_mail(assessment_mail.receipt(req, trainee.name, now))
    return version


def keep_locked(
    evidence: Evidence, answers: Mapping[str, object], values: dict[str, object]
) -> dict[str, object]:
    """The trainee's cleaned answers with the assessor's answers put back unchanged;
    DomainError if the trainee tried to change one."""
    req = completed_request(evidence.id)
    if req is None:
        return values
    assessed = next(v for v in evidence.versions if v.number == req.version_number)
    kept = dict(values)
    for name in locked_names(evidence.evidence_type):
        if name not in assessed.fields:
            kept.pop(name, None)
            continue
        locked = assessed.fields[name]
        given = answers.get(name)
        if given not in (None, "") and str(given).strip() != str(locked):
            raise DomainError(
                "The assessor's answers are locked: they completed them and only they "
                "could change them. Change only your own part",
                name,
            )
        kept[name] = locked
    return kept


def waiting_for_assessor(evidence: Evidence) -> bool:
    """The trainee chose to have the assessor complete the item, and they have not yet."""
    fields = evidence.current_version.fields or {}
    return fields.get(COMPLETED_BY_FIELD) == "assessor" and completed_request(evidence.id) is None


@dataclass(frozen=True)
class Provenance:
    """Who completed an item's assessor part, in words a supervisor reads."""

    by_assessor: bool
    line: str
    assessed_version: int | None = None
    in_person: bool = False
    assessor: str | None = None


def provenance(evidence: Evidence, version_number: int) -> Provenance:
    req = completed_request(evidence.id)
    return provenance_from(req, version_number)


def provenance_from(req: AssessmentRequest | None, version_number: int) -> Provenance:
    if req is None or req.version_number is None or req.version_number > version_number:
        return Provenance(False, TRAINEE_LINE)
    line = ASSESSOR_LINE + (
        " (completed in person on the trainee's device)" if req.in_person else ""
    )
    if req.version_number != version_number:
        line += (
            f". The assessor assessed version {req.version_number}; "
            "the trainee has changed their own part since"
        )
    return Provenance(
        True,
        line,
        req.version_number,
        req.in_person,
        str(req.answers.get("assessor_name") or req.assessor_name),
    )


def assessed_versions(evidence_ids: Iterable[int]) -> dict[int, int]:
    """For each item an assessor completed, the version they assessed (one query)."""
    ids = list(evidence_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(AssessmentRequest.evidence_id, func.min(AssessmentRequest.version_number))
        .where(AssessmentRequest.evidence_id.in_(ids), AssessmentRequest.completed_at.is_not(None))
        .group_by(AssessmentRequest.evidence_id)
    )
    return {evidence_id: number for evidence_id, number in rows.all()}  # noqa: C416


def requests_record(evidence_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Each item's assessment requests for the trainee's portable record (one query):
    who was asked, when, and what became of it; never a token, hash or code."""
    ids = list(evidence_ids)
    found: dict[int, list[dict]] = {}
    if not ids:
        return found
    for req in db.session.scalars(
        select(AssessmentRequest)
        .where(AssessmentRequest.evidence_id.in_(ids))
        .options(joinedload(AssessmentRequest.link))
        .order_by(AssessmentRequest.created_at, AssessmentRequest.id)
    ):
        found.setdefault(req.evidence_id, []).append(
            {
                "assessor_name": req.assessor_name,
                "assessor_email": req.assessor_email,
                "assessor_role": req.assessor_role,
                "status": status_of(req),
                "sent_at": req.created_at,
                "completed_at": req.completed_at,
                "assessed_version": req.version_number,
                "in_person": req.in_person,
            }
        )
    return found
