"""Bodies of the assessment-request endpoints (issue 16)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas import Strict, _d
from app.services.assessments.requests import STATUSES
from app.services.portfolio.assessors import ROLE_LABELS


class AssessmentRequestIn(Strict):
    assessor_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    assessor_email = fields.String(
        required=True,
        validate=validate.Length(min=3, max=254),
        metadata=_d("Where the one-time link and the confirmation code are sent"),
    )
    assessor_role = fields.String(required=True, validate=validate.OneOf(list(ROLE_LABELS)))
    assessor_register = fields.String(
        validate=validate.OneOf(["GPhC", "GMC", "NMC"]),
        metadata=_d("Optional: follows from the role; given, it must match it"),
    )
    assessor_number = fields.String(
        validate=validate.Length(max=20),
        metadata=_d("Optional: GPhC or GMC 7 digits, NMC PIN 8 characters"),
    )


class AssessmentRequestOut(Schema):
    id = fields.Integer(required=True)
    evidence_id = fields.Integer(required=True)
    assessor_name = fields.String(required=True)
    assessor_email = fields.String(required=True)
    assessor_role = fields.String(required=True)
    assessor_register = fields.String(allow_none=True)
    assessor_number = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True)
    assessed_version = fields.Integer(
        allow_none=True, metadata=_d("The evidence version the assessor completed")
    )
    in_person = fields.Boolean(required=True)


class AssessmentRequestList(Schema):
    items = fields.List(fields.Nested(AssessmentRequestOut), required=True)
