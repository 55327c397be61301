"""`retention apply [--dry-run]`: erase the portfolios kept for the retention period
(the rule is in app/services/privacy/retention.py). It prints user ids and dates only."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import fails_cleanly
from app.services.clock import uk_today
from app.services.privacy import retention

retention_cli = AppGroup("retention", help="Apply the retention rule.")


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="say who would be erased; change nothing")
@fails_cleanly
def retention_apply(dry_run: bool) -> None:
    """Erase every trainee whose training ended, and who last signed in, RETENTION_YEARS ago."""
    years = retention.retention_years()
    today = uk_today()
    cutoff = retention.keep_from(today, years)
    erased = kept = 0
    for outcome in retention.apply(retention.due_for_erasure(today, years), dry_run=dry_run):
        case = outcome.case
        if case.supervising:
            kept += 1
            click.echo(
                f"kept {case.describe()}; supervises {case.supervising} current "
                "enrolment(s): assign another supervisor first"
            )
        elif dry_run:
            erased += 1
            click.echo(f"would erase {case.describe()}; files: {outcome.files}")
        else:
            erased += 1
            click.echo(f"erased {case.describe()}; files deleted: {outcome.files}")
    rule = f"retention ({years} years: training ended and last sign-in before {cutoff.isoformat()})"
    if not erased and not kept:
        click.echo(f"{rule}: nobody is due for erasure")
    elif dry_run:
        click.echo(
            f"{rule}: would erase {erased}, keep {kept}; nothing changed "
            "(run without --dry-run to erase)"
        )
    else:
        click.echo(f"{rule}: erased {erased}, kept {kept}")
