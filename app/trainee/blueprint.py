"""The trainee blueprint, and the display helpers every role's templates read."""

from __future__ import annotations

from flask import Blueprint

from app.services.portfolio import attachments
from app.trainee import display

bp = Blueprint("trainee", __name__, url_prefix="/portfolio")


# App-wide, so other roles' pages can show statuses and files the same way.
bp.add_app_template_global(display.evidence_tag, "evidence_tag")
bp.add_app_template_global(display.competency_tag, "competency_tag")
bp.add_app_template_global(display.evidence_status, "evidence_status")
bp.add_app_template_global(display.competency_status, "competency_status")
bp.add_app_template_global(display.competency_tasks, "competency_tasks")
bp.add_app_template_global(display.EVIDENCE_STATUS_LABELS, "evidence_status_labels")
bp.add_app_template_filter(attachments.describe_size, "filesize")
