"""Checking a credential through the API: anyone may ask, without a token.

The same service as the verify page (`credentials.verification`) gives the answer, so the
page and the API never disagree. Checking writes nothing.
"""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as f

from app.api.blueprint import bp, errors
from app.api.problems import ApiProblem
from app.api.schemas import Strict
from app.permissions import public
from app.services.credentials import verification

VERDICTS = [verdict.value for verdict in verification.Verdict]


class CredentialCheckIn(Strict):
    credential = f.Dict(metadata={"description": "The signed credential, as JSON"})
    id = f.String(
        validate=validate.Length(min=1, max=300),
        metadata={"description": "Or the id (web address) of a credential this service issued"},
    )


class CredentialContent(Schema):
    id = f.String(allow_none=True)
    achievement = f.String(allow_none=True)
    issuer_name = f.String(allow_none=True)
    valid_from = f.String(allow_none=True)


class CredentialCheckOut(Schema):
    result = f.String(required=True, validate=validate.OneOf(VERDICTS), metadata={"enum": VERDICTS})
    label = f.String(required=True, metadata={"description": "The result in words"})
    reason = f.String(required=True, metadata={"description": "Why, in a sentence or two"})
    credential = f.Nested(
        CredentialContent,
        allow_none=True,
        required=True,
        metadata={"description": "What it says; only when the signature matched"},
    )
    revoked_at = f.DateTime(allow_none=True, required=True)


def _document(body: dict) -> dict:
    given = [name for name in ("credential", "id") if name in body]
    if len(given) != 1:
        message = (
            "Send either the credential or its id, not both"
            if given
            else ("Send the credential (as `credential`) or its id (as `id`)")
        )
        raise ApiProblem(422, "validation_failed", message, {"credential": message})
    try:
        if given == ["id"]:
            return verification.credential_by_address(body["id"], "id")
        return verification.checked_shape(body["credential"], "credential")
    except verification.NotACredential as problem:
        field = problem.field or "credential"
        raise ApiProblem(
            422, "validation_failed", problem.message, {field: problem.message}
        ) from None


@bp.route("/credentials/verify", methods=["POST"])
@bp.arguments(CredentialCheckIn)
@bp.response(200, CredentialCheckOut)
@errors(400, 413, 415, 422)
@bp.doc(
    security=[],
    summary="Check a credential: valid, tampered, revoked or unknown issuer (anyone)",
    description="No token needed. `result` is one of " + ", ".join(VERDICTS) + "; `reason` "
    "says why in words. An input that is not a signed credential at all is a 422.",
)
@public
def verify_credential(body: dict):
    result = verification.verify(_document(body))
    return {
        "result": result.verdict.value,
        "label": result.label,
        "reason": result.reason,
        "credential": {
            "id": result.credential_id,
            "achievement": result.achievement,
            "issuer_name": result.issuer_name,
            "valid_from": result.valid_from,
        }
        if result.trusted_content
        else None,
        "revoked_at": result.revoked_at,
    }
