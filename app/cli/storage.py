"""`storage sweep [--dry-run]`: delete stored files no record points to, older than a day."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import fails_cleanly
from app.extensions import db
from app.models.base import utcnow
from app.services.storage import StorageError, current_storage
from app.services.storage import sweep as orphan_sweep
from app.services.storage.sizes import describe_size

storage_cli = AppGroup("storage", help="Look after stored files.")


@storage_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="list what would be deleted; delete nothing")
@fails_cleanly
def storage_sweep(dry_run: bool) -> None:
    """Delete stored files no record points to and older than a day, naming each."""
    storage = current_storage()
    try:
        report = orphan_sweep.sweep(storage, now=utcnow(), dry_run=dry_run)
    except StorageError as error:
        db.session.rollback()
        raise click.ClickException(f"storage sweep failed: {error}") from None
    db.session.commit()
    verb = "would delete" if dry_run else "deleted"
    for item in report.orphans:
        stamp = item.last_modified.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"{verb} {item.key} ({describe_size(item.size_bytes)}, last changed {stamp})")
    total = describe_size(report.orphan_bytes)
    files = "file" if len(report.orphans) == 1 else "files"
    click.echo(
        f"{storage.describe()}: {verb} {len(report.orphans)} orphan {files} ({total}); "
        f"{report.checked} older than a day checked, {report.too_recent} newer left alone"
        + (f", {report.not_judged} of other features left alone" if report.not_judged else "")
    )
