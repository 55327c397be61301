"""Forms for a supervisor's (or lead's) side of the development plan: the comment on the
learning needs analysis, an objective's review and the pathway stage. The development
services hold the rules; their refusals come back on the fields they name."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from app.admin.forms import DateRequired
from app.form_base import PortfolioForm
from app.form_fields import DateInputField
from app.services.development.stages import STAGE_LABELS


class LearningNeedsCommentForm(PortfolioForm):
    comment = TextAreaField(
        "Your comment on the trainee's learning needs",
        description="The trainee reads it. Once you comment, their ratings can no longer change.",
        validators=[DataRequired("Enter your comment on the trainee's learning needs")],
    )


class ObjectiveReviewForm(PortfolioForm):
    outcome = RadioField(
        "Is the objective achieved?",
        choices=[
            SelectChoice("continuing", "Not yet: it continues"),
            SelectChoice("achieved", "Yes: it is achieved"),
        ],
        validators=[InputRequired("Choose whether the objective is achieved or continues")],
    )
    comment = TextAreaField(
        "Your comment on the trainee's progress",
        validators=[DataRequired("Enter your comment on the trainee's progress")],
    )


class StageForm(PortfolioForm):
    stage = RadioField(
        "Which stage has the trainee begun?",
        choices=[SelectChoice(code, label) for code, label in STAGE_LABELS.items()],
        validators=[InputRequired("Choose the stage the trainee has begun")],
    )
    started_on = DateInputField(
        "Date the stage began",
        description="For example, 27 3 2026",
        validators=[DateRequired("Enter the date the stage began")],
    )
