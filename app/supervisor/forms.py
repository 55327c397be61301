"""Forms for supervision: reviewing, signing off, revoking, completing, logging sessions.

The forms check only what a person must fill in; the services hold the rules, and their
refusals come back as errors on the field they name.
"""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from app.admin.forms import DateRequired
from app.form_base import PortfolioForm
from app.form_fields import DateInputField, MultiCheckboxField


class ReviewForm(PortfolioForm):
    decision = RadioField(
        "Your decision",
        choices=[
            SelectChoice("accepted", "Accept this evidence"),
            SelectChoice("changes_requested", "Ask the trainee to make changes"),
        ],
        validators=[InputRequired("Choose whether to accept the evidence or ask for changes")],
    )
    comment = TextAreaField(
        "Comments for the trainee",
        description="Needed when you ask for changes: say what to change and why.",
    )
    # The version on the page: a decision never lands on a version the reviewer did not see.
    version = HiddenField()


class SignOffForm(PortfolioForm):
    outcome = RadioField(
        "Outcome", validators=[InputRequired("Choose the outcome of your assessment")]
    )
    comment = TextAreaField(
        "Your comments on the trainee's competence",
        validators=[DataRequired("Write a comment on the trainee's competence")],
    )
    override_justification = TextAreaField(
        "Why you are signing off although the rule is not met",
        description="This is shown with the sign-off wherever it appears.",
    )


class RevokeForm(PortfolioForm):
    reason = TextAreaField(
        "Why you are revoking this sign-off",
        description="The trainee sees this reason, and it stays with the record.",
        validators=[DataRequired("Say why you are revoking this sign-off")],
    )


class GapAnalysisForm(PortfolioForm):
    comment = TextAreaField(
        "What the trainee needs to do to cover the changes",
        description="For example, the evidence to add and the competencies to sign off again.",
        validators=[DataRequired("Write what the trainee needs to do to cover the changes")],
    )


class ConfirmForm(PortfolioForm):
    """A button that needs nothing but its CSRF token."""


class SessionForm(PortfolioForm):
    held_on = DateInputField(
        "Date of the session",
        description="For example, 27 3 2026",
        validators=[DateRequired("Enter the date of the session")],
    )
    duration_minutes = IntegerField(
        "How long it lasted, in minutes",
        validators=[InputRequired("Enter how long the session lasted, in minutes")],
    )
    topics = TextAreaField(
        "Topics discussed", validators=[DataRequired("Enter the topics you discussed")]
    )
    agreed_actions = TextAreaField(
        "Actions agreed",
        description="What the trainee (or you) will do before the next session.",
        validators=[Optional()],
    )
    # Choices are the trainee's open objectives, set by the view.
    objectives = MultiCheckboxField(
        "Objectives of the development plan reviewed in this session",
        coerce=int,
        description="Choose any you discussed. Review one on its own to record it as achieved.",
        validators=[Optional()],
    )
