"""People and access: `orgs`, `users` (create, erase), `enrol` and `tokens`."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app.cli.common import fails_cleanly
from app.extensions import db
from app.models.organisations import Cohort
from app.services.accounts import (
    account_mail,
    api_tokens,
    invitations,
    organisations,
    password_resets,
)
from app.services.accounts import users as accounts
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.frameworks import catalogue as framework_service
from app.services.portfolio.attachments import remove_stored
from app.services.privacy import erasure
from app.services.registration import gphc
from app.services.registration import records as registration
from app.services.supervision import enrolments


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(
            f"{option} must be a date as YYYY-MM-DD, not {value!r}"
        ) from None


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
@click.option("--gphc-registered-on", default=None, help="date joined the register, YYYY-MM-DD")
@click.option("--gphc-expires-on", default=None, help="registration expiry, YYYY-MM-DD")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="read the password from standard input (for scripts); without it, an invitation "
    "e-mail lets the person choose their own",
)
@fails_cleanly
def users_create(
    email, name, roles, org_name, gphc, gphc_registered_on, gphc_expires_on, password_stdin
) -> None:
    """Create an account and e-mail an invitation to choose a password (unless
    --password-stdin); a GPhC number is recorded unverified (see `users verify-gphc`)."""
    org = organisations.find_organisation(org_name) if org_name else None
    registered_on = _parse_date(gphc_registered_on, "--gphc-registered-on")
    expires_on = _parse_date(gphc_expires_on, "--gphc-expires-on")
    if (registered_on or expires_on) and not gphc:
        raise DomainError("--gphc-registered-on and --gphc-expires-on need --gphc")
    # Scripts may pass a password on standard input; otherwise the person chooses their
    # own through an invitation, and nobody else ever knows it.
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    user = accounts.create_user(
        email=email,
        name=name,
        roles=roles,
        password=password,
        organisation=org,
        gphc_number=gphc,
        gphc_registered_on=registered_on,
        gphc_expires_on=expires_on,
    )
    pending = None if password_stdin else invitations.invite(user, actor=None)
    db.session.commit()
    click.echo(f"created {user.email} with roles {', '.join(sorted(user.roles))}")
    if pending is not None:
        invitations.deliver([pending])
        days = current_app.config["INVITE_DAYS"]
        click.echo(f"invitation sent to {user.email}: its link works once, for {days} days")
    if gphc:
        click.echo(
            "GPhC registration recorded, not yet verified: an education lead or an "
            f"administrator checks it on the register (users verify-gphc --email {user.email} "
            "--by THEIR_EMAIL) before this person can sign"
        )


@users_cli.command("verify-gphc")
@click.option("--email", required=True, help="the person whose registration was checked")
@click.option("--by", "by_email", required=True, help="the lead or administrator who checked it")
@fails_cleanly
def users_verify_gphc(email: str, by_email: str) -> None:
    """Record that a lead or administrator checked a person's registration on the register."""
    person = accounts.find_user_by_email(email)
    if person is None:
        raise DomainError(f"no account for {email}")
    checker = accounts.find_user_by_email(by_email)
    if checker is None:
        raise DomainError(f"no account for {by_email}")
    current = gphc.current_registration(person.id)
    if current is None:
        raise DomainError(f"no GPhC registration is recorded for {email}")
    registration.verify_registration(person, current.id, actor=checker, today=uk_today())
    db.session.commit()
    click.echo(f"verified {email}'s GPhC registration {current.number}, checked by {by_email}")


@users_cli.command("reset-password")
@click.option("--email", required=True)
@fails_cleanly
def users_reset_password(email: str) -> None:
    """E-mail the person a link to choose a new password (never prints one)."""
    person = accounts.find_user_by_email(email)
    if person is None:
        raise DomainError(f"no account for {email}")
    message = password_resets.issue_reset(person, actor=None)
    db.session.commit()
    account_mail.send([message])
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    click.echo(f"password reset link sent to {person.email}: it works once, for {minutes} minutes")


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
