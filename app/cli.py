"""Command-line interface: `flask --app wsgi <group> <command>`.

Every command exits 0 on success and 1 with a one-line reason otherwise.
"""

from __future__ import annotations

import functools
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from app.extensions import db
from app.models.organisations import Cohort
from app.services.accounts import api_tokens, organisations
from app.services.accounts import users as accounts
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.frameworks import catalogue as framework_service
from app.services.frameworks.validation import format_problems, validate_framework_file
from app.services.portfolio.attachments import remove_stored
from app.services.privacy import erasure
from app.services.supervision import enrolments


def fails_cleanly(command):
    """Turn rule and database failures into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (DomainError, framework_service.ImportConflict) as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            db.session.rollback()
            reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
            if isinstance(exc, ProgrammingError | OperationalError) and (
                "no such table" in reason or "does not exist" in reason
            ):
                reason += " (run `flask --app wsgi db upgrade` first)"
            raise click.ClickException(f"database error: {reason}") from None

    return wrapper


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(
            f"{option} must be a date as YYYY-MM-DD, not {value!r}"
        ) from None


# --- frameworks -------------------------------------------------------------------------

frameworks_cli = AppGroup("frameworks", help="Validate, import and list competency frameworks.")


@frameworks_cli.command("validate")
@click.argument("paths", nargs=-1, required=True)
def frameworks_validate(paths: tuple[str, ...]) -> None:
    """Check framework files; print one line per problem as PATH:LINE: message."""
    failed = False
    for path in paths:
        result = validate_framework_file(path)
        if result.problems:
            failed = True
            for line in format_problems(path, result.problems):
                click.echo(line)
        else:
            spec = result.spec
            count = sum(len(d.competencies) for d in spec.domains)
            click.echo(f"{path}: ok ({len(spec.domains)} domains, {count} competencies)")
    sys.exit(1 if failed else 0)


@frameworks_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
@fails_cleanly
def frameworks_import(paths: tuple[str, ...]) -> None:
    """Validate then import framework files; identical re-imports change nothing."""
    results = [(path, validate_framework_file(path)) for path in paths]
    bad = [(path, r) for path, r in results if r.problems]
    if bad:
        for path, result in bad:
            for line in format_problems(path, result.problems):
                click.echo(line, err=True)
        raise click.ClickException("nothing imported: fix the problems above first")
    messages = []
    for path, result in results:
        outcome, framework = framework_service.import_framework(result.spec, result.sha256)
        label = f"{framework.code} version {framework.version}"
        if outcome is framework_service.ImportOutcome.UNCHANGED:
            messages.append(
                f"{path}: {label} already imported with identical content; nothing to do"
            )
        else:
            messages.append(f"{path}: imported {label}")
    db.session.commit()
    for message in messages:
        click.echo(message)


@frameworks_cli.command("list")
@fails_cleanly
def frameworks_list() -> None:
    """One line per framework version: id, version, title, competencies."""
    for s in framework_service.framework_summaries():
        click.echo(f"{s.code}\t{s.version}\t{s.title}\t{s.competency_count} competencies")


def import_bundled_frameworks() -> list[str]:
    """Import every YAML in frameworks/ (used by `make run`); returns what happened."""
    folder = Path(current_app.config["FRAMEWORKS_DIR"])
    paths = sorted(str(p) for p in folder.glob("*.yaml"))
    lines = []
    for path in paths:
        result = validate_framework_file(path)
        if result.problems:
            raise click.ClickException("; ".join(format_problems(path, result.problems)))
        outcome, fw = framework_service.import_framework(result.spec, result.sha256)
        lines.append(f"{fw.code} {fw.version}: {outcome.value}")
    db.session.commit()
    return lines


@frameworks_cli.command("import-bundled")
@fails_cleanly
def frameworks_import_bundled() -> None:
    """Import every framework file shipped in frameworks/."""
    for line in import_bundled_frameworks():
        click.echo(line)


# --- organisations ----------------------------------------------------------------------

orgs_cli = AppGroup("orgs", help="Manage organisations.")


@orgs_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", required=True, help="e.g. training-hub, pcn, practice")
@click.option("--parent", "parent_name", default=None, help="name of the parent organisation")
@click.option("--ods-code", default=None)
@fails_cleanly
def orgs_create(name: str, kind: str, parent_name: str | None, ods_code: str | None) -> None:
    parent = organisations.find_organisation(parent_name) if parent_name else None
    org = organisations.create_organisation(name, kind, parent, ods_code=ods_code)
    db.session.commit()
    click.echo(f"created organisation {org.name} ({org.kind})")


# --- users ------------------------------------------------------------------------------

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="trainee, supervisor, lead or admin; repeat for several",
)
@click.option("--org", "org_name", default=None)
@click.option("--gphc", default=None, help="GPhC registration number")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@fails_cleanly
def users_create(email, name, roles, org_name, gphc, password_stdin) -> None:
    org = organisations.find_organisation(org_name) if org_name else None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = accounts.create_user(
        email=email, name=name, roles=roles, password=password, organisation=org, gphc_number=gphc
    )
    db.session.commit()
    click.echo(f"created {user.email} with roles {', '.join(sorted(user.roles))}")


@users_cli.command("erase")
@click.option("--email", required=True)
@click.option("--confirm", is_flag=True, help="erase; without it, only show what would go")
@fails_cleanly
def users_erase(email: str, confirm: bool) -> None:
    """Erase a person's personal data and files; see SECURITY.md, "Retention and erasure"."""
    person = accounts.find_user_by_email(email)
    if person is None:
        raise DomainError(f"no account for {email}")
    erased = erasure.erase_person(person, actor=None)
    summary = ", ".join(
        f"{what.replace('_', ' ')}: {n}" for what, n in sorted(erased.counts.items())
    )
    files = len(erased.storage_keys)
    if not confirm:
        db.session.rollback()
        click.echo(f"would erase {email} (user {erased.user_id}): {summary}; files: {files}")
        click.echo("nothing changed: run again with --confirm to erase")
        return
    db.session.commit()
    # The rows are gone for good: now the files may go.
    upload_dir = current_app.config["UPLOAD_DIR"]
    for key in erased.storage_keys:
        remove_stored(upload_dir, key)
    click.echo(f"erased {email}: now user {erased.user_id}; {summary}; files deleted: {files}")


# --- enrolment --------------------------------------------------------------------------


@click.command("enrol")
@with_appcontext
@click.option("--trainee", "trainee_email", required=True)
@click.option("--framework", "framework_code", required=True)
@click.option("--version", default=None, help="framework version (latest when omitted)")
@click.option("--supervisor", "supervisor_email", required=True)
@click.option("--cohort", "cohort_name", default=None)
@click.option("--start", default=None, help="YYYY-MM-DD (today when omitted)")
@click.option("--end", default=None, help="expected end, YYYY-MM-DD (18 months when omitted)")
@fails_cleanly
def enrol_command(
    trainee_email, framework_code, version, supervisor_email, cohort_name, start, end
):
    """Enrol a trainee on a framework version with a clinical supervisor."""
    trainee = accounts.find_user_by_email(trainee_email)
    if trainee is None:
        raise DomainError(f"no account for {trainee_email}")
    supervisor = accounts.find_user_by_email(supervisor_email)
    if supervisor is None:
        raise DomainError(f"no account for {supervisor_email}")
    framework = framework_service.find_framework(framework_code, version)
    if framework is None:
        raise DomainError(
            f"no framework {framework_code}" + (f" version {version}" if version else "")
        )
    cohort = None
    if cohort_name:
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == cohort_name))
        if cohort is None:
            raise DomainError(f"no cohort called {cohort_name!r}")
    enrolment = enrolments.enrol(
        trainee,
        framework,
        supervisor=supervisor,
        cohort=cohort,
        started_on=_parse_date(start, "--start"),
        expected_end_on=_parse_date(end, "--end"),
    )
    db.session.commit()
    click.echo(
        f"enrolled {trainee.email} on {framework.code} version {framework.version} "
        f"from {enrolment.started_on.isoformat()}, supervised by {supervisor.email}"
    )


# --- API tokens -------------------------------------------------------------------------

tokens_cli = AppGroup("tokens", help="Manage API tokens.")


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--label", default="")
@click.option("--days", type=int, default=None, help="Lifetime in days (default API_TOKEN_DAYS).")
@fails_cleanly
def tokens_create(email: str, label: str, days: int | None) -> None:
    """Print a new API token for the user, once: only its digest is stored."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise DomainError(f"no account for {email}")
    token = api_tokens.create_token(user, label, days=days)
    db.session.commit()
    click.echo(token)


# --- audit ------------------------------------------------------------------------------

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


# --- backup and restore -----------------------------------------------------------------


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


# --- demo -------------------------------------------------------------------------------

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
@fails_cleanly
def demo_seed() -> None:
    """Create a demo organisation tree, cohort and one account per role (safe to rerun)."""
    from app.demo.seed import seed_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo seed refuses to run with the production configuration")
    import_bundled_frameworks()
    created, logins = seed_demo()
    db.session.commit()
    click.echo("Demo data created." if created else "Demo data already present; nothing changed.")
    click.echo("Demo logins (all share the password below):")
    for role, email, password in logins:
        click.echo(f"  {role:<11} {email:<32} {password}")


def _count(value: str, option: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise click.ClickException(f"{option} must be a whole number, not {value!r}") from None


@demo_cli.command("generate")
@click.option("--trainees", required=True, help="how many trainees (1 to 100,000)")
@click.option("--evidence-per-trainee", default="100", show_default=True)
@click.option("--seed", default="1", show_default=True, help="the same seed gives the same data")
@fails_cleanly
def demo_generate(trainees: str, evidence_per_trainee: str, seed: str) -> None:
    """Bulk-generate a large reproducible dataset (for load tests) in an empty database."""
    from app.demo.generate import check_size, generate_dataset

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo generate refuses to run with the production configuration")
    counts = (
        _count(trainees, "--trainees"),
        _count(evidence_per_trainee, "--evidence-per-trainee"),
        _count(seed, "--seed"),
    )
    check_size(counts[0], counts[1])
    import_bundled_frameworks()
    result = generate_dataset(
        counts[0], counts[1], seed=counts[2], progress=lambda line: click.echo(line, err=True)
    )
    db.session.commit()
    click.echo(f"Generated in {result.seconds:.1f} s:")
    for table, count in result.rows.items():
        click.echo(f"  {table:<24} {count:>10,}")
    click.echo("Logins (password demo-portfolio-pass):")
    for role, email in vars(result.logins).items():
        click.echo(f"  {role.replace('_', ' '):<12} {email}")


def register(app: Flask) -> None:
    for command in (
        frameworks_cli,
        orgs_cli,
        users_cli,
        enrol_command,
        tokens_cli,
        audit_cli,
        backup_command,
        restore_command,
        demo_cli,
    ):
        app.cli.add_command(command)
