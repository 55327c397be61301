"""What every command shares: failures reported as one line and exit code 1, and text
options held to the control-character rule the pages and the API apply."""

from __future__ import annotations

import functools

import click
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from app.extensions import db
from app.services.control_characters import control_character_problem
from app.services.errors import DomainError
from app.services.frameworks import catalogue as framework_service


def fails_cleanly(command):
    """Turn rule and database failures into one line on stderr and exit code 1; refuse a
    text option holding a control character before the command runs."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        _refuse_control_characters(kwargs)
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


def _refuse_control_characters(options: dict) -> None:
    context = click.get_current_context(silent=True)
    # The option as typed (`--org`), not the parameter's name (`org_name`).
    typed = {p.name: p.opts[0] for p in context.command.params} if context else {}
    for name, value in options.items():
        values = value if isinstance(value, tuple | list) else (value,)
        for text in values:
            label = typed.get(name, name)
            if isinstance(text, str) and (problem := control_character_problem(text, label)):
                raise click.ClickException(problem)
