"""Forms for the trainee's development pages: the learning needs analysis and objectives.

They parse input and carry the CSRF token; the development services hold the rules, and
their refusals come back onto the fields they name.
"""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import Field, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from app.admin.forms import DateRequired
from app.form_base import PortfolioForm
from app.form_fields import DateInputField, MultiCheckboxField
from app.models.frameworks import ScaleValue
from app.services.development.learning_needs import RatedCompetency, rating_field

DATE_HINT = "For example, 27 3 2027"


def learning_needs_form_class(
    competencies: Iterable[RatedCompetency], scale: Iterable[ScaleValue]
) -> type[PortfolioForm]:
    """A form with one rating per competency of the trainee's framework, on its scale."""
    choices = [SelectChoice(value.code, value.label) for value in scale]
    fields: dict[str, Field] = {}
    for competency in competencies:
        name = f"{competency.code} {competency.title}"
        fields[rating_field(competency.id)] = RadioField(
            name,
            choices=choices,
            validators=[InputRequired(f"Choose how you rate yourself for {name}")],
        )
    return type("LearningNeedsForm", (PortfolioForm,), fields)


class ObjectiveForm(PortfolioForm):
    description = TextAreaField(
        "What do you want to achieve?",
        description="Say what you will be able to do, and how you will get there.",
        validators=[DataRequired("Describe what you want to achieve")],
    )
    target_on = DateInputField(
        "Target date",
        description=DATE_HINT,
        validators=[DateRequired("Enter the target date")],
    )
    competencies = MultiCheckboxField(
        "Which competencies does it develop?",
        coerce=int,
        description="Choose at least one.",
        validators=[DataRequired("Choose at least one competency this objective develops")],
        # The service names a competency that is not in the trainee's framework.
        validate_choice=False,
    )
