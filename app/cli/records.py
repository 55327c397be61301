"""Checking the records: `audit verify`, `supervisor verify-records` and `reports
verify-summary` (backups are in `app.cli.backups`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import fails_cleanly
from app.extensions import db
from app.services.audit import chain as audit
from app.services.audit import record_checks
from app.services.clock import uk_today
from app.services.reporting import flag_tallies, progress_summary
from app.services.reporting.flags import report_thresholds

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


supervisor_cli = AppGroup("supervisor", help="Check supervision records.")


@supervisor_cli.command("verify-records")
@fails_cleanly
def verify_records() -> None:
    """Check every sign-off, revocation and completion against its digest and audit event."""
    problems = record_checks.verify_records()
    if problems:
        raise click.ClickException(f"record check failed: {problems[0]}")
    click.echo("sign-off, revocation and completion records intact")


reports_cli = AppGroup("reports", help="Check the progress summaries the dashboards read.")


@reports_cli.command("verify-summary")
@fails_cleanly
def verify_summary() -> None:
    """Recompute every enrolment's progress summary from its records: exit 1 naming the
    first that differs."""
    check = progress_summary.first_difference()
    if check.problem:
        raise click.ClickException(f"progress summary differs: {check.problem}")
    problem = flag_tallies.first_difference(uk_today(), report_thresholds())
    if problem:
        raise click.ClickException(f"flag tally differs: {problem}")
    click.echo(
        f"progress summaries match their records ({check.checked} enrolments), "
        "and today's flag tallies their summaries"
    )


@reports_cli.command("rebuild-summary")
@fails_cleanly
def rebuild_summary() -> None:
    """Recompute and store every enrolment's progress summary."""
    count = progress_summary.rebuild()
    flag_tallies.recount_all(uk_today(), report_thresholds())
    db.session.commit()
    click.echo(f"progress summaries rebuilt ({count} enrolments), and the flag tallies")


@reports_cli.command("recount-tallies")
@fails_cleanly
def recount_tallies() -> None:
    """Count every organisation's flag tally for today: the daily job, run just after
    midnight (until then a dashboard counts the summaries themselves)."""
    count = flag_tallies.recount_all(uk_today(), report_thresholds())
    db.session.commit()
    click.echo(f"flag tallies counted for {uk_today():%d %B %Y} ({count} organisations)")
