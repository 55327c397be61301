"""Forms of the assessor's pages: who they are, the e-mailed code, and their answers."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from app.form_base import PortfolioForm
from app.services.portfolio.assessors import ROLE_LABELS
from app.services.portfolio.form_answers import FormDefinition
from app.trainee.forms import _field_for

DECLARATION = (
    "I declare that I observed this work myself, that these are my own answers, and that "
    "I am the person named above"
)


class IdentityForm(PortfolioForm):
    assessor_name = StringField("Your full name")
    assessor_role = RadioField(
        "Your role",
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        validate_choice=False,
    )
    assessor_number = StringField(
        "Your professional registration number",
        description=(
            "Your GPhC number if you are a pharmacist or pharmacy technician (7 digits), GMC "
            "number if you are a doctor (7 digits) or NMC PIN if you are a nurse (8 "
            "characters, like 12A3456E). Leave it empty if your role has no register"
        ),
    )


class CodeForm(PortfolioForm):
    code = StringField("Code from the email", description="The 6 digits we sent you")


def assessor_form_class(definition: FormDefinition) -> type[PortfolioForm]:
    fields = {spec.name: _field_for(spec) for spec in definition.fields}
    fields["declaration"] = BooleanField(DECLARATION)
    return type("AssessorPartForm", (PortfolioForm,), fields)
