"""Everyone's notifications: the list and marking them read (the daily digest command
is in `app.cli.notifications`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.notifications.blueprint import bp
from app.notifications.forms import MarkReadForm
from app.permissions import signed_in
from app.services.errors import NotFound
from app.services.notifications import messages as notifications


def _safe_link(link: str) -> str | None:
    return link if link.startswith("/") and not link.startswith("//") else None


@bp.route("/")
@signed_in
def index():
    return render_template(
        "notifications/index.jinja",
        title="Notifications",
        items=notifications.recent_for(current_user.id),
        form=MarkReadForm(),
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@signed_in
def mark_read(notification_id: int):
    """Mark one read, then open what it is about (or come back to the list)."""
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        notification = notifications.mark_read(current_user, notification_id)
    except NotFound:
        abort(404)
    db.session.commit()
    return redirect(_safe_link(notification.link) or url_for(".index"))


@bp.route("/read-all", methods=["POST"])
@signed_in
def mark_all_read():
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    count = notifications.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash("All your notifications are marked as read.", "success")
    return redirect(url_for(".index"))
