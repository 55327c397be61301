"""The rater's questionnaire as a form, built from `app.services.feedback.questionnaire`."""

from __future__ import annotations

from wtforms import Field, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.form_base import PortfolioForm
from app.services.feedback.questionnaire import FREE_TEXT, MAX_TEXT, QUESTIONS, RATINGS


def _fields() -> dict[str, Field]:
    fields: dict[str, Field] = {
        key: RadioField(
            statement,
            choices=[SelectChoice(value, label) for value, label in RATINGS],
            validators=[InputRequired(f"Choose a rating for: {statement}")],
            validate_choice=False,  # the service checks the value and words the message
        )
        for key, statement in QUESTIONS
    }
    for key, question in FREE_TEXT:
        fields[key] = TextAreaField(
            question, description=f"Optional. Up to {MAX_TEXT} characters. Do not name patients."
        )
    return fields


# The service checks every answer (`questionnaire.clean`) and names the field at fault.
QuestionnaireForm = type("QuestionnaireForm", (PortfolioForm,), _fields())
