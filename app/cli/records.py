"""Checking and keeping the records: `audit verify`, `supervisor verify-records`,
`backup` and `restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from app.cli.common import fails_cleanly
from app.services.audit import chain as audit
from app.services.audit import record_checks

audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
@fails_cleanly
def audit_verify() -> None:
    """Exit 0 when the hash chain is intact; 1 naming the first bad event."""
    report = audit.verify_chain()
    if not report.intact:
        raise click.ClickException(
            f"audit chain broken at event {report.first_bad_id}: {report.reason}"
        )
    click.echo(f"audit chain intact ({report.checked} events)")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@fails_cleanly
def backup_command(path: Path) -> None:
    """Write a consistent online copy of the SQLite database to PATH."""
    from app.services.audit import backups

    backups.backup_to(path)
    check = backups.check_copy(path)
    if not check.sound:
        raise click.ClickException(
            f"the copy at {path} failed its check: {check.audit_problem or check.integrity}"
        )
    total = sum(check.row_counts.values())
    click.echo(
        f"backed up to {path}: {total} rows, {check.audit_events} audit events, integrity ok"
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    required=True,
    help="verify the copy (integrity, row counts, audit chain) without restoring",
)
@with_appcontext
@fails_cleanly
def restore_command(path: Path, check_only: bool) -> None:
    """Verify a backup copy: to restore, stop the app and put the checked file in place."""
    from app.services.audit import backups

    check = backups.check_copy(path)
    for table, count in check.row_counts.items():
        click.echo(f"{table}\t{count}")
    if not check.sound:
        raise click.ClickException(
            f"{path} is not sound: integrity {check.integrity}"
            + (f"; audit chain broken at {check.audit_problem}" if check.audit_problem else "")
        )
    click.echo(f"{path}: integrity ok, audit chain intact ({check.audit_events} events)")


supervisor_cli = AppGroup("supervisor", help="Check supervision records.")


@supervisor_cli.command("verify-records")
@fails_cleanly
def verify_records() -> None:
    """Check every sign-off, revocation and completion against its digest and audit event."""
    problems = record_checks.verify_records()
    if problems:
        raise click.ClickException(f"record check failed: {problems[0]}")
    click.echo("sign-off, revocation and completion records intact")
