"""Evidence through the API: a trainee records a draft and submits it; their
supervisor reviews it. The same services as the pages make every change, in one
transaction with its audit event."""

from __future__ import annotations

from flask import url_for

from app.api.blueprint import bp, errors
from app.api.problems import ApiProblem, refused
from app.api.schemas import EvidenceIn, EvidenceOut, ReviewIn, ReviewOut
from app.api.shapes import evidence_out
from app.auth.current import me
from app.base_url import absolute_url
from app.extensions import db
from app.models.evidence import Evidence
from app.permissions import roles
from app.services.errors import DomainError, NotFound
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio import lists as evidence_lists
from app.services.portfolio.access import evidence_visible_to
from app.services.portfolio.content import PatientDataWarning
from app.services.supervision import permissions, reviews
from app.services.supervision.enrolments import current_enrolment

EVIDENCE_FIELDS = frozenset(EvidenceIn().fields) | {"competencies", "type"}
REVIEW_FIELDS = frozenset(ReviewIn().fields)


def _out(evidence: Evidence) -> dict:
    row = evidence_lists.evidence_row(me(), evidence.id)
    if row is None:  # the caller saw it a moment ago; only a concurrent erasure gets here
        raise ApiProblem(404, "not_found", "No evidence with that id is visible to you")
    return {**evidence_out(row), "submitted_at": evidence.submitted_at}


def _answers(body: dict) -> dict[str, object]:
    """The form's answers: `answers` plus the CONTRACT's top-level fields, which win."""
    answers: dict[str, object] = dict(body.get("answers") or {})
    answers["title"] = body["title"]
    answers["occurred_on"] = body["occurred_on"].isoformat()
    if "description" in body:
        answers["description"] = body["description"]
    return answers


@bp.route("/evidence", methods=["POST"])
@bp.arguments(EvidenceIn)
@bp.response(201, EvidenceOut)
@errors(400, 401, 403, 409, 413, 415, 422)
@bp.doc(
    summary="Record a new draft (trainees)",
    description="The draft is private until submitted. Text that may identify a patient "
    "is refused (an NHS number always; other patterns until `confirm_no_patient_data`).",
)
@roles("trainee")
def create_evidence(body: dict):
    trainee = me()
    enrolment = current_enrolment(trainee.id)
    if enrolment is None:
        raise ApiProblem(409, "not_enrolled", "You are not enrolled on an active programme")
    try:
        evidence = evidence_service.create_draft(
            enrolment,
            body["type"],
            _answers(body),
            [(code, "") for code in body["competencies"]],
            actor=trainee,
            confirmed=body["confirm_no_patient_data"],
        )
    except PatientDataWarning as warning:
        db.session.rollback()
        fields = {f.field: f.message for f in warning.findings}
        raise ApiProblem(422, "possible_patient_data", warning.message, fields) from None
    except DomainError as error:
        db.session.rollback()
        raise refused(error, EVIDENCE_FIELDS) from None
    db.session.commit()
    location = absolute_url(url_for("api.evidence_item", evidence_id=evidence.id))
    return _out(evidence), 201, {"Location": location}


def _own_evidence(evidence_id: int) -> Evidence:
    evidence = evidence_visible_to(me(), evidence_id)
    if evidence is None:
        raise ApiProblem(404, "not_found", "No evidence with that id is visible to you")
    return evidence


@bp.route("/evidence/<int:evidence_id>")
@bp.response(200, EvidenceOut)
@errors(401, 403, 404)
@bp.doc(summary="One evidence item you may see")
@roles("trainee", "supervisor", "lead")
def evidence_item(evidence_id: int):
    return _out(_own_evidence(evidence_id))


@bp.route("/evidence/<int:evidence_id>/submit", methods=["POST"])
@bp.response(200, EvidenceOut)
@errors(401, 403, 404, 409, 415)
@bp.doc(summary="Submit a draft for review (trainees)")
@roles("trainee")
def submit_evidence(evidence_id: int):
    evidence = _own_evidence(evidence_id)
    if evidence.enrolment.trainee_id != me().id:
        raise ApiProblem(404, "not_found", "No evidence with that id is visible to you")
    try:
        evidence_service.submit(evidence, actor=me())
    except DomainError as error:
        db.session.rollback()
        raise refused(error) from None
    db.session.commit()
    return _out(evidence)


@bp.route("/evidence/<int:evidence_id>/reviews", methods=["POST"])
@bp.arguments(ReviewIn)
@bp.response(201, ReviewOut)
@errors(400, 401, 403, 404, 409, 413, 415, 422)
@bp.doc(
    summary="Accept a submitted item or ask for changes (the trainee's supervisor)",
    description="Asking for changes needs a comment. `version` is the version you read; "
    "if the trainee has changed the item since, the review is refused with 409.",
)
@roles("supervisor")
def review_evidence(body: dict, evidence_id: int):
    reviewer = me()
    evidence = reviews.evidence_for_reviewer(reviewer, evidence_id)
    if evidence is None:
        raise ApiProblem(404, "not_found", "No evidence with that id is waiting for you")
    if not permissions.awaiting_review(evidence):
        raise ApiProblem(409, "conflict", "This evidence is not waiting for review")
    try:
        review = reviews.record_review(
            evidence,
            reviewer=reviewer,
            decision=body["decision"],
            comment=body["comment"],
            version_number=body.get("version", evidence.current_version_number),
        )
    except NotFound:
        db.session.rollback()
        raise ApiProblem(404, "not_found", "No evidence with that id is waiting for you") from None
    except DomainError as error:
        db.session.rollback()
        raise refused(error, REVIEW_FIELDS - {"version"}) from None
    db.session.commit()
    return {
        "id": review.id,
        "evidence_id": evidence.id,
        "version": review.version_number,
        "decision": review.decision,
        "comment": review.comment,
        "evidence_status": evidence.status,
    }, 201
