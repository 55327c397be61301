"""JSON API, version 1: who am I, frameworks, and the OpenAPI document.

Trainees, evidence and reports have their own modules on the same blueprint
(`blueprint.py`), imported by the package. Every view declares its roles (app.permissions);
bearer tokens authenticate (app.auth.sessions), never cookies.
"""

from __future__ import annotations

import hashlib

from flask import current_app, jsonify, request
from flask_login import current_user

from app.api.blueprint import bp, errors, openapi_document
from app.api.case_schemas import CfPackage
from app.api.problems import ApiProblem
from app.api.schemas import FrameworkList, FrameworkTree, Me
from app.extensions import limiter
from app.permissions import public, signed_in
from app.services.frameworks import catalogue as framework_service
from app.services.frameworks.case_export import case_package
from app.services.frameworks.labels import framework_label


def _client_key() -> str:
    """Requests are counted per token (per address before one is presented)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "unknown")


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_client_key)(bp)


@bp.before_request
def _check_body() -> None:
    """Bodies are JSON and small; anything else is refused before a view reads it."""
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
    if request.method in ("POST", "PUT", "PATCH"):
        has_body = bool(request.content_length) or "chunked" in request.headers.get(
            "Transfer-Encoding", ""
        )
        if (has_body or request.mimetype) and request.mimetype != "application/json":
            raise ApiProblem(
                415,
                "unsupported_media_type",
                "Send the body as JSON, with the header Content-Type: application/json",
            )


@bp.after_request
def _no_cookies(response):
    # API responses never set or refresh a session.
    response.headers.pop("Set-Cookie", None)
    response.headers["Vary"] = "Authorization"
    return response


@bp.route("/openapi.json")
@bp.doc(security=[], summary="This API's OpenAPI 3 document")
@public
def openapi():
    return jsonify(openapi_document())


@bp.route("/me")
@bp.response(200, Me)
@errors(401)
@bp.doc(summary="The token's owner")
@signed_in
def me():
    return {
        "id": current_user.id,
        "email": current_user.email,
        "name": current_user.name,
        "roles": sorted(current_user.roles),
    }


@bp.route("/frameworks")
@bp.response(200, FrameworkList)
@errors(401)
@bp.doc(summary="Competency frameworks and their versions")
@signed_in
def frameworks():
    return {
        "items": [
            {
                "id": s.code,
                "version": s.version,
                "title": s.title,
                "status": s.status,
                "label": framework_label(s),
                "competency_count": s.competency_count,
            }
            for s in framework_service.framework_summaries()
        ]
    }


@bp.route("/frameworks/<code>/versions/<version>")
@bp.response(200, FrameworkTree)
@errors(401, 404)
@bp.doc(summary="One framework version's tree: domains, competencies, rules")
@signed_in
def framework(code: str, version: str):
    found = framework_service.find_framework(code, version)
    if found is None:
        raise ApiProblem(404, "not_found", f"No framework {code} version {version}")
    tree = framework_service.load_framework_tree(found.id)
    return {
        "id": tree.code,
        "version": tree.version,
        "title": tree.title,
        "status": tree.status,
        "label": framework_label(tree),
        "publisher": tree.publisher,
        "sign_off": {
            "min_evidence": tree.min_evidence,
            "min_types": tree.min_types,
            "require_observed": tree.require_observed,
        },
        "scale": [{"id": s.code, "label": s.label, "proficient": s.proficient} for s in tree.scale],
        "evidence_types": [
            {"id": t.code, "label": t.label, "observed": t.observed} for t in tree.evidence_types
        ],
        "standards": [{"id": s.code, "title": s.title} for s in tree.standards],
        "domains": [
            {
                "id": d.code,
                "title": d.title,
                "description": d.description,
                "competencies": [
                    {
                        "id": c.code,
                        "title": c.title,
                        "description": c.description,
                        "indicators": c.indicators,
                        "standards": [s.code for s in c.standards],
                        "sign_off": {
                            "min_evidence": c.min_evidence,
                            "min_types": c.min_types,
                            "require_observed": c.require_observed,
                            "observations": framework_service.observation_rule_of(c),
                        },
                        "replaces": c.replaces_code,
                    }
                    for c in d.competencies
                ],
            }
            for d in tree.domains
        ],
    }


@bp.route("/frameworks/<code>/versions/<version>/case")
@bp.response(200, CfPackage)
@errors(401, 404)
@bp.doc(
    summary="One framework version as a CASE 1.1 package (1EdTech CFPackage)",
    description="Domains and competencies as CFItems, the tree and the crosswalk to the "
    "version it follows as CFAssociations; identifiers stay the same on every export.",
)
@signed_in
def framework_case(code: str, version: str):
    found = framework_service.find_framework(code, version)
    if found is None:
        raise ApiProblem(404, "not_found", f"No framework {code} version {version}")
    # Answered as built: the schema documents the package, it does not filter it.
    return jsonify(case_package(found.id, current_app.config["BASE_URL"]))
