"""The trainee's form for asking an assessor to complete an item."""

from __future__ import annotations

from wtforms import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from app.form_base import PortfolioForm
from app.services.portfolio.assessors import ROLE_LABELS


class AssessmentRequestForm(PortfolioForm):
    assessor_name = StringField("Assessor's full name")
    assessor_email = EmailField(
        "Assessor's email address",
        description="Use their work address. We send the link and a confirmation code to it",
    )
    assessor_role = RadioField(
        "Assessor's role",
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        validate_choice=False,
    )
    assessor_number = StringField(
        "Assessor's professional registration number (optional)",
        description=(
            "Their GPhC number (7 digits), GMC number (7 digits) or NMC PIN (8 characters). "
            "They confirm it themselves"
        ),
    )
