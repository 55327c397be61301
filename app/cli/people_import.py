"""`flask --app wsgi users import PATH [--dry-run]`: many people from one CSV file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.cli.common import fails_cleanly
from app.extensions import db
from app.services.accounts import bulk_import, invitations


@click.command("import")
@click.argument("path")
@click.option("--dry-run", is_flag=True, help="check the file and show the plan; write nothing")
@fails_cleanly
def users_import(path: str, dry_run: bool) -> None:
    """Create accounts (and enrolments) from a CSV file, inviting each new person.

    Columns: email,name,role,organisation,gphc_number,framework,framework_version,
    clinical_supervisor,education_supervisor,cohort,start_date. Nothing is written
    unless every row is valid; rows already present are skipped.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror or error}") from None
    plan = bulk_import.plan_people_import(data, actor=None)
    if not plan.ok:
        db.session.rollback()
        for problem in plan.problems:
            click.echo(problem.located(path))
        click.echo(
            "Error: nothing imported: correct the problems above and run the command again",
            err=True,
        )
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        for row in plan.rows:
            note = f" ({row.note})" if row.note else ""
            click.echo(f"{path}:{row.line}: {row.email}: {row.outcome_label}{note}")
        click.echo(
            f"would create {plan.count('create', 'create_and_enrol')}, "
            f"enrol {plan.count('create_and_enrol', 'enrol')}, skip {plan.count('skip')}: "
            "nothing written (dry run)"
        )
        return
    result = bulk_import.carry_out(plan, actor=None)
    db.session.commit()
    invitations.deliver(result.invitations)
    click.echo(
        f"created {result.created}, enrolled {result.enrolled}, skipped {result.skipped}, "
        f"invitations sent {len(result.invitations)}"
    )
