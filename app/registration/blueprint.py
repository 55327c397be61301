"""The registration blueprint and the labels its templates read."""

from __future__ import annotations

from flask import Blueprint

from app.services.pathway.programme_status import FUNDING_LABELS, PATHWAY_STATUS_LABELS
from app.services.portfolio.attachments import describe_size
from app.services.registration.rules import (
    QUALIFICATION_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
)
from app.services.registration.settings import minimum_wte, protected_learning_days
from app.services.rule_results import format_number

bp = Blueprint("registration", __name__, url_prefix="/registration")


@bp.context_processor
def _labels() -> dict:
    from app.services.registration.gphc import REGISTER_LABELS

    return {
        "register_labels": REGISTER_LABELS,
        "registration_status_labels": REGISTRATION_STATUS_LABELS,
        "qualification_status_labels": QUALIFICATION_STATUS_LABELS,
        "pathway_status_labels": PATHWAY_STATUS_LABELS,
        "funding_labels": FUNDING_LABELS,
        "protected_learning_days": protected_learning_days(),
        "describe_size": describe_size,
        "number": format_number,
        "minimum_wte": minimum_wte(),
    }
