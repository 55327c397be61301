"""The form a lead or administrator moves trainees to a new framework version with; the
moves and cohorts offered are set by the view."""

from __future__ import annotations

from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Length, Optional

from app.form_base import PortfolioForm


class FrameworkMoveForm(PortfolioForm):
    move = SelectField(
        "Move trainees",
        validators=[DataRequired("Choose the versions to move trainees between")],
        invalid_choice_message="Choose a move from the list",
    )
    cohort = SelectField(
        "Cohort",
        description="Leave as all to move every trainee on the old version that you oversee.",
        coerce=lambda value: int(value) if value not in (None, "") else None,
        invalid_choice_message="Choose a cohort from the list",
    )
    trainee = EmailField(
        "Only this trainee (optional)",
        description="The trainee's email address, to move one trainee.",
        validators=[Optional(), Length(max=254)],
    )
