"""The notifications blueprint: e-mail delivery after commit, installed once, and the
header's unread count."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from app.notifications import delivery
from app.services.notifications import messages as notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
bp.record_once(lambda _state: delivery.install())


@bp.app_template_global("unread_notification_count")
def unread_notification_count() -> int:
    """For the header: how many of the signed-in person's notifications are unread."""
    if not current_user.is_authenticated:
        return 0
    return notifications.unread_count(current_user.id)
