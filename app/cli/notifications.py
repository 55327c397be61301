"""`flask --app wsgi notifications send-digest`: the daily e-mail to supervisors."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from app.cli.common import fails_cleanly
from app.extensions import db
from app.services.clock import uk_today
from app.services.notifications import messages as notifications

notifications_cli = AppGroup("notifications", help="Notification e-mails.")


@notifications_cli.command("send-digest")
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
