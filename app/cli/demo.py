"""`flask --app wsgi demo ...`: demonstration and bulk data, refused in production."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import fails_cleanly
from app.cli.frameworks import import_bundled_frameworks
from app.extensions import db

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
    width = max(len(email) for _, email, _ in logins)
    for role, email, password in logins:
        click.echo(f"  {role:<11} {email:<{width}} {password}")
    _two_factor_notice()


def _two_factor_notice() -> None:
    """Staff demo accounts meet two-factor sign-in at their first sign-in, as in production."""
    required = current_app.config.get("MFA_REQUIRED_ROLES") or ()
    if required:
        click.echo(
            f"Accounts with the roles {', '.join(required)} will be asked to set up two-factor "
            "sign-in (an authenticator app) at their first sign-in. To try the demo without "
            "it, set MFA_REQUIRED_ROLES to empty."
        )


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
    _two_factor_notice()
