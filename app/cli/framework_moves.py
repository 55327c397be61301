"""`flask --app wsgi frameworks migrate`: move trainees to the version that follows theirs."""

from __future__ import annotations

import click

from app.cli.common import fails_cleanly
from app.extensions import db
from app.services.framework_moves.moving import (
    ALREADY,
    MOVED,
    REFUSED,
    MoveReport,
    move_trainees,
    versions_for_move,
)
from app.services.framework_moves.plan import MovePlan


@click.command("migrate")
@click.option("--from", "source_ref", required=True, help="ID@VERSION trainees are on now.")
@click.option("--to", "target_ref", required=True, help="ID@VERSION that follows it.")
@click.option("--cohort", help="Only the trainees of this cohort.")
@click.option("--trainee", help="Only this trainee (their e-mail address).")
@click.option("--dry-run", is_flag=True, help="Say what would happen; change nothing.")
@fails_cleanly
def frameworks_migrate(
    source_ref: str, target_ref: str, cohort: str | None, trainee: str | None, dry_run: bool
) -> None:
    """Move trainees, with their evidence and sign-offs, to the version that follows theirs."""
    source, target = versions_for_move(source_ref, target_ref)
    report = move_trainees(
        source, target, actor=None, cohort_name=cohort, trainee_email=trainee, dry_run=dry_run
    )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in report_lines(report):
        click.echo(line)


def plan_lines(plan: MovePlan) -> list[str]:
    """What the move does to one trainee's record, one line per kind of change."""
    changes = plan.changes
    lines = []
    for key, words in (
        ("carried_over", "sign-off carried over"),
        ("re_sign_off", "needs a new sign-off"),
        ("continued", "continues, not signed off yet"),
        ("new", "new"),
        ("ended", "ended"),
    ):
        entries = changes.get(key, [])
        if entries:
            shown = ", ".join(_shown(e, key) for e in entries)
            lines.append(f"  {words}: {shown}")
    lines.append(f"  evidence links added: {len(plan.links)}")
    return lines


def _shown(entry: dict, key: str) -> str:
    if key == "re_sign_off":
        verb = "merges" if entry["kind"] == "merges" else "split from"
        return f"{entry['code']} ({verb} {', '.join(entry['from'])})"
    if key == "carried_over":
        return f"{entry['code']} (signed on {entry['signed_on']} by {entry['signer_name']})"
    return entry["code"]


def report_lines(report: MoveReport) -> list[str]:
    source, target = report.source, report.target
    head = f"{source.code} {source.version} -> {target.version}"
    lines = []
    for trainee in report.trainees:
        who = f"{trainee.name} <{trainee.email}>"
        if trainee.outcome in (ALREADY, REFUSED):
            lines.append(f"{who}: not moved, {trainee.reason}")
            continue
        lines.append(f"{who}: {'would move' if report.dry_run else 'moved'}")
        lines.extend(plan_lines(trainee.plan))
    moved = sum(1 for t in report.trainees if t.plan is not None)
    if report.dry_run:
        lines.append(f"{head}: dry run, nothing changed; {_trainees(moved)} would move")
    elif report.count(MOVED):
        lines.append(f"{head}: moved {_trainees(report.count(MOVED))}")
    else:
        lines.append(f"{head}: nothing to move; every chosen trainee is already moved or refused")
    return lines


def _trainees(n: int) -> str:
    return f"{n} trainee" if n == 1 else f"{n} trainees"
