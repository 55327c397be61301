"""A trainee's Open Badges 3.0 credentials through the API.

`GET /api/v1/trainees/{id}/credentials`: the same rule as the trainee's other routes (404
unless the pages would show the trainee to the caller), and each credential only when its
enrolment is one the caller may see. Each item carries the signed credential unchanged.
"""

from __future__ import annotations

import json

from flask import url_for
from marshmallow import Schema, fields

from app.api.blueprint import bp, errors
from app.api.problems import ApiProblem
from app.auth.current import me
from app.base_url import absolute_url
from app.permissions import roles
from app.services.credentials import issuing
from app.services.frameworks.labels import framework_label
from app.services.supervision.access import can_view, trainee_record_for_viewer


class CredentialFramework(Schema):
    id = fields.String(required=True)
    version = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "provisional or published"})
    label = fields.String(required=True)


class IssuedCredentialOut(Schema):
    id = fields.String(required=True, metadata={"description": "The credential's id (a URL)"})
    enrolment_id = fields.Integer(required=True)
    framework = fields.Nested(CredentialFramework, required=True)
    issued_at = fields.DateTime(required=True)
    revoked = fields.Boolean(required=True)
    revoked_at = fields.DateTime(allow_none=True)
    status_list_index = fields.Integer(required=True)
    download_url = fields.String(
        required=True, metadata={"description": "The credential as a .json file (signed in)"}
    )
    credential = fields.Dict(
        required=True,
        metadata={"description": "The signed OpenBadgeCredential, exactly as issued"},
    )


class IssuedCredentialList(Schema):
    items = fields.List(fields.Nested(IssuedCredentialOut), required=True)


@bp.route("/trainees/<int:trainee_id>/credentials")
@bp.response(200, IssuedCredentialList)
@errors(401, 403, 404)
@bp.doc(summary="A trainee's Open Badges 3.0 credentials, issued when training is completed")
@roles("trainee", "supervisor", "lead")
def trainee_credentials(trainee_id: int):
    viewer = me()
    if trainee_record_for_viewer(viewer, trainee_id) is None:
        raise ApiProblem(404, "not_found", "No trainee with that id is visible to you")
    items = []
    for credential in issuing.credentials_of(trainee_id):
        if not credential.document or not can_view(viewer, credential.enrolment):
            continue
        framework = credential.enrolment.framework
        items.append(
            {
                "id": issuing.credential_url(credential.public_id),
                "enrolment_id": credential.enrolment_id,
                "framework": {
                    "id": framework.code,
                    "version": framework.version,
                    "status": framework.status,
                    "label": framework_label(framework),
                },
                "issued_at": credential.issued_at,
                "revoked": credential.revoked_at is not None,
                "revoked_at": credential.revoked_at,
                "status_list_index": credential.status_list_index,
                "download_url": absolute_url(
                    url_for("supervisor.credential_download", enrolment_id=credential.enrolment_id)
                ),
                "credential": json.loads(credential.document),
            }
        )
    return {"items": items}
