"""Forms for the supervisor's decisions on a multi-source feedback round."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.form_base import PortfolioForm


class CloseRoundForm(PortfolioForm):
    outcome = RadioField(
        "Is this round valid?",
        choices=[
            SelectChoice("valid", "Yes: close it as valid, ready to release its report"),
            SelectChoice("invalid", "No: close it as not valid"),
        ],
        validators=[InputRequired("Choose whether the round is valid or not")],
    )
    reason = TextAreaField(
        "If it is not valid, why not?",
        description="The trainee reads this. For example: too few pharmacists answered.",
    )


class ReleaseForm(PortfolioForm):
    """The release button: the CSRF token alone."""
