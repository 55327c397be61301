"""Forms for the administration pages. Choices that come from the database are set by the view.

The forms check only what a person must fill in; the services hold the rules and their
refusals come back as errors on the field they name.
"""

from __future__ import annotations

from wtforms import EmailField, RadioField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation

from app.form_base import PortfolioForm
from app.form_fields import DateInputField, MultiCheckboxField
from app.models.organisations import ORGANISATION_KINDS
from app.models.users import ROLE_LABELS, ROLES

ORGANISATION_KIND_LABELS = {
    "region": "NHS England region",
    "icb": "Integrated care board (ICB)",
    "training-hub": "Training hub",
    "pcn": "Primary care network (PCN)",
    "practice": "GP practice",
    "other": "Other",
}
# The model's list decides which kinds exist; a kind added there shows up here too.
KIND_CHOICES = [
    SelectChoice(kind, ORGANISATION_KIND_LABELS.get(kind, kind.replace("-", " ").capitalize()))
    for kind in ORGANISATION_KINDS
]
ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]
SUPERVISOR_KIND_LABELS = {"clinical": "Clinical supervisor", "education": "Education supervisor"}


def optional_id(value: object) -> int | None:
    """Select values: "" (the blank first option) is None, anything else a record id."""
    if value in (None, ""):
        return None
    return int(value)  # a ValueError becomes WTForms' "could not coerce" error


class DateRequired:
    """Like DataRequired for a DateInputField, but silent when the date was already refused
    as incomplete or impossible, so a person sees one message, not two."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


class UserFilterForm(PortfolioForm):
    """Filters for the user list: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    # "All roles" when the query string has no role: the unfiltered list is no error.
    role = SelectField("Role", choices=[SelectChoice("", "All roles"), *ROLE_CHOICES], default="")
    q = SearchField("Name or email address", validators=[Length(max=200)])


class CreateUserForm(PortfolioForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address"), Length(max=254)],
    )
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's full name"), Length(max=200)]
    )
    roles = MultiCheckboxField(
        "Roles",
        choices=ROLE_CHOICES,
        description="Select all that apply",
        invalid_choice_message="Choose roles from the list",
    )
    organisation = SelectField(
        "Organisation", coerce=optional_id, invalid_choice_message="Choose an organisation"
    )
    gphc = StringField(
        "GPhC registration number (optional)",
        description="7 digits. Pharmacists' numbers start with 2, pharmacy technicians' with 5",
        validators=[Length(max=20)],
    )


class EditUserForm(PortfolioForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's full name"), Length(max=200)]
    )
    roles = MultiCheckboxField(
        "Roles",
        choices=ROLE_CHOICES,
        description="Select all that apply",
        invalid_choice_message="Choose roles from the list",
    )
    organisation = SelectField(
        "Organisation", coerce=optional_id, invalid_choice_message="Choose an organisation"
    )


class ConfirmForm(PortfolioForm):
    """A button that changes state: a POST carrying only the CSRF token."""


class OrganisationForm(PortfolioForm):
    name = StringField(
        "Name", validators=[DataRequired("Enter the organisation's name"), Length(max=200)]
    )
    kind = SelectField(
        "Kind of organisation",
        choices=[SelectChoice("", "Choose a kind"), *KIND_CHOICES],
        validators=[DataRequired("Choose the kind of organisation")],
        invalid_choice_message="Choose a kind from the list",
    )
    parent = SelectField(
        "Part of",
        coerce=optional_id,
        description="The organisation this one sits inside, such as the PCN a practice belongs to",
        invalid_choice_message="Choose an organisation from the list",
    )
    ods_code = StringField(
        "ODS code (optional)",
        description="The NHS Organisation Data Service code, like A12345",
        validators=[Length(max=20)],
    )


class CohortForm(PortfolioForm):
    name = StringField(
        "Cohort name",
        description="For example, September 2026 intake",
        validators=[DataRequired("Enter the cohort's name"), Length(max=200)],
    )
    organisation = SelectField(
        "Organisation",
        coerce=optional_id,
        validators=[DataRequired("Choose the organisation that runs the cohort")],
        invalid_choice_message="Choose an organisation from the list",
    )
    framework = SelectField(
        "Framework version",
        coerce=optional_id,
        invalid_choice_message="Choose a framework version from the list",
    )
    starts_on = DateInputField("Start date (optional)", description="For example, 1 9 2026")


class EnrolForm(PortfolioForm):
    framework = SelectField(
        "Framework version",
        coerce=optional_id,
        validators=[DataRequired("Choose the framework version")],
        invalid_choice_message="Choose a framework version from the list",
    )
    # Not limited to the listed choices: the service explains why someone cannot supervise.
    supervisor = SelectField(
        "Clinical supervisor",
        coerce=optional_id,
        validate_choice=False,
        validators=[DataRequired("Choose a clinical supervisor")],
        invalid_value_message="Choose a clinical supervisor from the list",
    )
    cohort = SelectField(
        "Cohort (optional)",
        coerce=optional_id,
        invalid_choice_message="Choose a cohort from the list",
    )
    started_on = DateInputField(
        "Start date",
        description="For example, 1 9 2026",
        validators=[DateRequired("Enter the start date")],
    )
    expected_end_on = DateInputField(
        "Expected end date (optional)",
        description="Leave blank for 18 months after the start date",
    )


class AssignSupervisorForm(PortfolioForm):
    kind = RadioField(
        "Which supervisor are you assigning?",
        choices=[SelectChoice(k, v) for k, v in SUPERVISOR_KIND_LABELS.items()],
        default="clinical",
        validators=[DataRequired("Choose clinical or education supervisor")],
        invalid_choice_message="Choose clinical or education supervisor",
    )
    supervisor = SelectField(
        "Supervisor",
        coerce=optional_id,
        validate_choice=False,
        validators=[DataRequired("Choose a supervisor")],
        invalid_value_message="Choose a supervisor from the list",
    )


class EmailChangeForm(PortfolioForm):
    email = EmailField(
        "New email address",
        description="We will send a link to this address. The change happens when the "
        "person follows it",
        validators=[DataRequired("Enter the new email address"), Length(max=254)],
    )


class PasswordSignInForm(PortfolioForm):
    """Choices name the provider: `for_provider`."""

    password_sign_in = RadioField(
        "How do people in this organisation sign in?",
        description="This applies to every organisation inside this one too.",
        validators=[DataRequired("Choose how people in this organisation sign in")],
        invalid_choice_message="Choose how people in this organisation sign in",
    )

    @classmethod
    def for_provider(cls, provider: str, **kwargs) -> PasswordSignInForm:
        form = cls(**kwargs)
        form.password_sign_in.choices = [
            SelectChoice("on", f"With {provider}, or with their email address and password"),
            SelectChoice("off", f"Only with {provider}"),
        ]
        return form
