"""`flask --app wsgi frameworks export --format case ID@VER [PATH]`: a framework version
as a CASE 1.1 package (JSON), on standard output or into a file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from app.cli.common import fails_cleanly
from app.services.errors import DomainError
from app.services.framework_moves.moving import parse_version_ref
from app.services.frameworks import catalogue as framework_service
from app.services.frameworks.case_export import case_package


@click.command("export")
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["case"]),
    required=True,
    help="case: a CASE 1.1 package (CFPackage JSON).",
)
@click.argument("ref")
@click.argument("path", required=False)
@fails_cleanly
def frameworks_export(export_format: str, ref: str, path: str | None) -> None:
    """Write framework version ID@VER as a CASE 1.1 package to PATH (or standard output)."""
    code, version = parse_version_ref(ref, "ID@VER")
    framework = framework_service.find_framework(code, version)
    if framework is None:
        raise DomainError(f"{code} version {version} is not imported")
    package = case_package(framework.id, current_app.config["BASE_URL"])
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(
        f"{path}: {code} version {version} as CASE 1.1 ({len(package['CFItems'])} items, "
        f"{len(package['CFAssociations'])} associations)"
    )
