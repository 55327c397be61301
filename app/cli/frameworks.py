"""`flask --app wsgi frameworks ...`: validate, import and list competency frameworks."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.cli.common import fails_cleanly
from app.cli.framework_case import frameworks_export
from app.extensions import db
from app.services.frameworks import catalogue as framework_service
from app.services.frameworks.case_import import (
    import_reading,
    located_problems,
    read_framework_file,
)
from app.services.frameworks.crosswalk import (
    CrosswalkRefused,
    crosswalk_problems,
    in_follow_order,
)
from app.services.frameworks.validation import format_problems, validate_framework_file

frameworks_cli = AppGroup("frameworks", help="Validate, import and list competency frameworks.")
frameworks_cli.add_command(frameworks_export)


@frameworks_cli.command("validate")
@click.argument("paths", nargs=-1, required=True)
def frameworks_validate(paths: tuple[str, ...]) -> None:
    """Check framework files (YAML, or CASE 1.1 JSON); print one line per problem as
    PATH:LINE: message (PATH: /JSON/pointer: message in a CASE package)."""
    failed = False
    for path in paths:
        try:  # a CASE package's crosswalk names competencies by their imported identifiers
            result = read_framework_file(path)
        except SQLAlchemyError:
            db.session.rollback()
            failed = True
            click.echo(f"{path}: its crosswalk cannot be read: the database cannot be read")
            continue
        unchecked = ""
        if result.spec is not None and result.spec.follows is not None:
            try:  # against what is imported
                result.problems = located_problems(result, crosswalk_problems(result.spec))
            except SQLAlchemyError:
                db.session.rollback()
                unchecked = "; its crosswalk is not checked: the database cannot be read"
        if result.problems:
            failed = True
            for line in format_problems(path, result.problems):
                click.echo(line)
        else:
            spec = result.spec
            count = sum(len(d.competencies) for d in spec.domains)
            click.echo(f"{path}: ok ({len(spec.domains)} domains, {count} competencies){unchecked}")
    sys.exit(1 if failed else 0)


@frameworks_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
@fails_cleanly
def frameworks_import(paths: tuple[str, ...]) -> None:
    """Validate then import framework files (YAML, or CASE 1.1 JSON packages); identical
    re-imports change nothing."""
    results = [(path, read_framework_file(path)) for path in paths]
    bad = [(path, r) for path, r in results if r.problems]
    if bad:
        for path, result in bad:
            for line in format_problems(path, result.problems):
                click.echo(line, err=True)
        raise click.ClickException("nothing imported: fix the problems above first")
    messages = []
    for path, result in in_follow_order(results, lambda r: r.spec):
        try:
            outcome, framework = import_reading(result)
        except CrosswalkRefused as refused:
            db.session.rollback()
            for line in format_problems(path, refused.problems):
                click.echo(line, err=True)
            raise click.ClickException("nothing imported: fix the problems above first") from None
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


class _NoSpec:  # a file with problems: ordered as given, refused when reached
    id = version = follows = None


_NO_SPEC = _NoSpec()


def import_bundled_frameworks() -> list[str]:
    """Import every YAML in frameworks/ (used by `make run`); returns what happened."""
    folder = Path(current_app.config["FRAMEWORKS_DIR"])
    paths = sorted(str(p) for p in folder.glob("*.yaml"))
    results = [(path, validate_framework_file(path)) for path in paths]
    lines = []
    for path, result in in_follow_order(results, lambda r: r.spec or _NO_SPEC):
        if result.problems:
            raise click.ClickException("; ".join(format_problems(path, result.problems)))
        try:
            outcome, fw = framework_service.import_framework(result.spec, result.sha256)
        except CrosswalkRefused as refused:
            raise click.ClickException("; ".join(format_problems(path, refused.problems))) from None
        lines.append(f"{fw.code} {fw.version}: {outcome.value}")
    db.session.commit()
    return lines


@frameworks_cli.command("import-bundled")
@fails_cleanly
def frameworks_import_bundled() -> None:
    """Import every framework file shipped in frameworks/."""
    for line in import_bundled_frameworks():
        click.echo(line)
