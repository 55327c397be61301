"""The base of every form in the pages: rules that hold for every field of every form.

Each form class derives from `PortfolioForm` (CSRF-protected, Flask-WTF) or, for a
query-string form read without a request's CSRF, `QueryForm`; a test walks every form
class in the app to keep it so. Today the shared rule is the control-character one
(`app.services.control_characters`): a field holding one fails validation with a message
on that field, so nothing reaches a service and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask_wtf import FlaskForm
from wtforms import Field, Form, PasswordField
from wtforms.csrf.core import CSRFTokenField

from app.extensions import db
from app.services.control_characters import control_character_problem
from app.services.errors import DomainError

# Passwords are hashed, never stored or shown as text: refusing a character there could
# only stop someone signing in with the password they chose. The CSRF token has its own check.
UNCHECKED_FIELDS = (PasswordField, CSRFTokenField)


class RefusesControlCharacters:
    """Every text a field holds is checked after the field's own validators."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[misc]
        for field in self:  # type: ignore[attr-defined]
            problem = _problem(field)
            if problem is not None:
                field.errors = [problem, *field.errors]
                valid = False
        return valid


def _texts(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, list | tuple):
        yield from (item for item in data if isinstance(item, str))


def _problem(field: Field) -> str | None:
    if isinstance(field, UNCHECKED_FIELDS):
        return None
    label = field.label.text.removesuffix(" (optional)")
    for text in _texts(field.data):
        if problem := control_character_problem(text, label):
            return problem
    return None


class PortfolioForm(RefusesControlCharacters, FlaskForm):
    """A page's form: CSRF-protected, and no field may hold a control character."""


class QueryForm(RefusesControlCharacters, Form):
    """A form read from the query string, without Flask-WTF: the same field rules."""


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Undo whatever the service began, and put its message where the person will look:
    on the field it names, else above the form."""
    db.session.rollback()
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]
