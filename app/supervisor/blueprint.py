"""The supervision blueprint and the display helpers its templates read."""

from __future__ import annotations

from flask import Blueprint

from app.services.supervision import permissions, reviews
from app.services.supervision import sessions as supervision_sessions
from app.trainee.display import competency_tag, evidence_tag

bp = Blueprint("supervisor", __name__, url_prefix="/supervision")
# For reviews/_history.jinja, which evidence pages of every blueprint include.
bp.add_app_template_global(reviews.review_history, "review_history")


@bp.context_processor
def _display_helpers() -> dict:
    return {
        "evidence_tag": evidence_tag,
        "competency_tag": competency_tag,
        "format_month": supervision_sessions.format_month,
        "awaiting_review": permissions.awaiting_review,
    }
