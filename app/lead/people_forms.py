"""The form a lead adds a person with; the organisations offered are set by the view."""

from __future__ import annotations

from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.form_base import PortfolioForm
from app.form_fields import MultiCheckboxField
from app.models.users import ROLE_LABELS, ROLES
from app.services.accounts.invitations import LEAD_MAY_GIVE


class AddPersonForm(PortfolioForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address"), Length(max=254)],
    )
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's full name"), Length(max=200)]
    )
    roles = MultiCheckboxField(
        "Roles",
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES if r in LEAD_MAY_GIVE],
        description="Select all that apply",
        invalid_choice_message="Choose roles from the list",
    )
    organisation = SelectField(
        "Organisation",
        coerce=lambda value: int(value) if value not in (None, "") else None,
        validators=[DataRequired("Choose the organisation the person works in")],
        invalid_choice_message="Choose an organisation from the list",
    )
