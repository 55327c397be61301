"""The forms that pause, resume and withdraw an enrolment (admin and lead pages)."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.form_base import PortfolioForm
from app.form_fields import DateInputField
from app.services.supervision.enrolment_lifecycle import MAX_REASON

_REASON_LENGTH = Length(
    max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer"
)


class PauseForm(PortfolioForm):
    reason = TextAreaField(
        "Why the training is paused",
        description="For example, parental leave or long-term sickness. The trainee sees this.",
        validators=[DataRequired("Enter why the training is paused"), _REASON_LENGTH],
    )
    paused_from = DateInputField(
        "Paused from (optional)",
        description="Today or earlier. Leave blank for today. For example, 1 3 2027",
    )
    expected_return_on = DateInputField(
        "Expected return date (optional)",
        description="If known. For example, 1 9 2027",
    )


class ResumeForm(PortfolioForm):
    resumed_on = DateInputField(
        "Resumed on (optional)",
        description="Today or earlier, not before the pause started. Leave blank for today.",
    )


class WithdrawForm(PortfolioForm):
    reason = TextAreaField(
        "Why the trainee is withdrawn",
        description="This stays with the enrolment's record.",
        validators=[DataRequired("Enter why the trainee is withdrawn"), _REASON_LENGTH],
    )
