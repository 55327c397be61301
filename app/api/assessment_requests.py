"""Assessment requests through the API: a trainee asks a named assessor to complete an
item, lists the item's requests with their status, and withdraws one. The same service
as the pages (`app.services.assessments.requests`) does each, with its audit event."""

from __future__ import annotations

from app.api.assessment_schemas import (
    AssessmentRequestIn,
    AssessmentRequestList,
    AssessmentRequestOut,
)
from app.api.blueprint import bp, errors
from app.api.problems import ApiProblem, refused
from app.auth.current import me
from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.evidence import Evidence
from app.permissions import roles
from app.services.assessments import requests
from app.services.errors import DomainError, NotFound
from app.services.portfolio.access import evidence_visible_to
from app.services.portfolio.assessors import register_for

BODY_FIELDS = frozenset(AssessmentRequestIn().fields)
NOT_FOUND = "No evidence of yours with that id"


def _own(evidence_id: int) -> Evidence:
    evidence = evidence_visible_to(me(), evidence_id)
    if evidence is None or evidence.enrolment.trainee_id != me().id:
        raise ApiProblem(404, "not_found", NOT_FOUND)
    return evidence


def request_out(req: AssessmentRequest) -> dict:
    return {
        "id": req.id,
        "evidence_id": req.evidence_id,
        "assessor_name": req.assessor_name,
        "assessor_email": req.assessor_email,
        "assessor_role": req.assessor_role,
        "assessor_register": register_for(req.assessor_role),
        "assessor_number": req.assessor_number,
        "status": requests.status_of(req),
        "created_at": req.created_at,
        "expires_at": req.link.expires_at,
        "completed_at": req.completed_at,
        "assessed_version": req.version_number,
        "in_person": req.in_person,
    }


@bp.route("/evidence/<int:evidence_id>/assessment-requests", methods=["POST"])
@bp.arguments(AssessmentRequestIn)
@bp.response(201, AssessmentRequestOut)
@errors(400, 401, 403, 404, 409, 415, 422)
@bp.doc(
    summary="Ask a named assessor to complete an item (trainees)",
    description="The assessor gets a one-time link by email (valid ASSESSMENT_LINK_DAYS, "
    "default 30) and confirms their identity with a 6-digit code sent to the same "
    "address. Only a draft of a type with an assessor's part can be sent. Requests per "
    "day and open requests are capped (409 when reached).",
)
@roles("trainee")
def create_assessment_request(body: dict, evidence_id: int):
    evidence = _own(evidence_id)
    register = body.get("assessor_register")
    if register is not None and register != register_for(body["assessor_role"]):
        message = f"A {body['assessor_role']} is not on the {register} register"
        raise ApiProblem(422, "validation_failed", message, {"assessor_register": message})
    details = requests.AssessorDetails(
        body["assessor_name"],
        body["assessor_email"],
        body["assessor_role"],
        body.get("assessor_number"),
    )
    try:
        issued = requests.ask(evidence, details, actor=me())
    except DomainError as error:
        db.session.rollback()
        raise refused(error, BODY_FIELDS) from None
    db.session.commit()
    return request_out(issued.request), 201


@bp.route("/evidence/<int:evidence_id>/assessment-requests")
@bp.response(200, AssessmentRequestList)
@errors(401, 403, 404)
@bp.doc(summary="An item's assessment requests, newest first, with their status (trainees)")
@roles("trainee")
def assessment_requests(evidence_id: int):
    evidence = _own(evidence_id)
    return {"items": [request_out(r) for r in requests.requests_for(evidence)]}


@bp.route("/evidence/<int:evidence_id>/assessment-requests/<int:request_id>", methods=["DELETE"])
@bp.response(204)
@errors(401, 403, 404, 409)
@bp.doc(summary="Withdraw a request still waiting: its link stops working (trainees)")
@roles("trainee")
def withdraw_assessment_request(evidence_id: int, request_id: int):
    evidence = _own(evidence_id)
    try:
        req = requests.own_request(evidence, request_id)
    except NotFound:
        raise ApiProblem(404, "not_found", "No assessment request with that id") from None
    try:
        requests.withdraw(req, actor=me())
    except DomainError as error:
        db.session.rollback()
        raise refused(error) from None
    db.session.commit()
    return "", 204
