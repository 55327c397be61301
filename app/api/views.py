"""JSON API, version 1. Authenticated by bearer tokens; same permission rules as the pages."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_login import current_user

from app.api.openapi import openapi_document
from app.permissions import public, signed_in
from app.services import frameworks as framework_service

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _no_cookies(response):
    # API responses never set or refresh a session.
    response.headers.pop("Set-Cookie", None)
    response.headers["Vary"] = "Authorization"
    return response


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


@bp.route("/me")
@signed_in
def me():
    return jsonify(
        {
            "id": current_user.id,
            "email": current_user.email,
            "name": current_user.name,
            "roles": sorted(current_user.roles),
        }
    )


@bp.route("/frameworks")
@signed_in
def frameworks():
    return jsonify(
        {
            "items": [
                {
                    "id": s.code,
                    "version": s.version,
                    "title": s.title,
                    "status": s.status,
                    "competency_count": s.competency_count,
                }
                for s in framework_service.framework_summaries()
            ]
        }
    )


@bp.route("/frameworks/<code>/versions/<version>")
@signed_in
def framework(code: str, version: str):
    found = framework_service.find_framework(code, version) or abort(404)
    tree = framework_service.load_framework_tree(found.id)
    return jsonify(
        {
            "id": tree.code,
            "version": tree.version,
            "title": tree.title,
            "status": tree.status,
            "publisher": tree.publisher,
            "sign_off": {
                "min_evidence": tree.min_evidence,
                "min_types": tree.min_types,
                "require_observed": tree.require_observed,
            },
            "scale": [
                {"id": s.code, "label": s.label, "proficient": s.proficient} for s in tree.scale
            ],
            "evidence_types": [
                {"id": t.code, "label": t.label, "observed": t.observed}
                for t in tree.evidence_types
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
                            },
                            "replaces": c.replaces_code,
                        }
                        for c in d.competencies
                    ],
                }
                for d in tree.domains
            ],
        }
    )
