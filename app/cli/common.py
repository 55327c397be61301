"""What every command shares: failures reported as one line and exit code 1."""

from __future__ import annotations

import functools

import click
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from app.extensions import db
from app.services.errors import DomainError
from app.services.frameworks import catalogue as framework_service


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
