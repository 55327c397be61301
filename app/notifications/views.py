"""Everyone's notifications: the list, marking them read, and the daily digest command."""

from __future__ import annotations

from datetime import date

import click
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.cli import fails_cleanly
from app.extensions import db
from app.notifications import delivery
from app.notifications.forms import MarkReadForm
from app.permissions import signed_in
from app.services.errors import NotFound
from app.services.notifications import messages as notifications
from app.services.portfolio.content import uk_today

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
bp.record_once(lambda _state: delivery.install())


@bp.app_template_global("unread_notification_count")
def unread_notification_count() -> int:
    """For the header: how many of the signed-in person's notifications are unread."""
    if not current_user.is_authenticated:
        return 0
    return notifications.unread_count(current_user.id)


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


@bp.cli.command("send-digest")
@click.option("--date", "on", help="The day the digest is for, as YYYY-MM-DD (default: today).")
@fails_cleanly
def send_digest(on: str | None) -> None:
    """E-mail each supervisor about newly submitted evidence, or a reminder of evidence
    still waiting, at most once a day."""
    try:
        today = date.fromisoformat(on) if on else uk_today()
    except ValueError:
        raise click.ClickException(f"--date must be a date as YYYY-MM-DD, not {on!r}") from None
    outcome = notifications.send_submission_digests(today)
    db.session.commit()
    click.echo(
        f"digests sent: {outcome.sent}; reminders sent: {outcome.reminded}; "
        f"supervisors already sent one on {today.isoformat()}: {outcome.skipped}"
    )
