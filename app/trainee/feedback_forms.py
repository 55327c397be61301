"""Forms for the trainee's multi-source feedback pages: they parse input and carry the
CSRF token; `app.services.feedback.rounds` holds the rules."""

from __future__ import annotations

from wtforms import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from app.form_base import PortfolioForm
from app.services.feedback.rules import ROLE_LABELS


class FeedbackActionForm(PortfolioForm):
    """A button that changes something (open a round, send reminders): the token alone."""


class NominateForm(PortfolioForm):
    name = StringField(
        "Their full name", validators=[DataRequired("Enter the name of the person you are asking")]
    )
    email = EmailField(
        "Their work email address",
        description="The link to the questionnaire is sent here.",
        validators=[DataRequired("Enter their email address")],
    )
    role = RadioField(
        "Their role",
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        validators=[InputRequired("Choose the person's role")],
    )
