"""The admin blueprint and the labels its templates read."""

from __future__ import annotations

from flask import Blueprint

from app.admin.forms import ORGANISATION_KIND_LABELS
from app.models.users import ROLE_LABELS, ROLES

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def _labels() -> dict:
    return {
        "role_order": ROLES,
        "role_labels": ROLE_LABELS,
        "organisation_kind_labels": ORGANISATION_KIND_LABELS,
    }
