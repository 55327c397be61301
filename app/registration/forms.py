"""Forms for the registration pages. They check only what must be filled in and that
numbers and dates are well formed; the services hold the rules, and their refusals come
back as errors on the field they name."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.admin.forms import DateRequired
from app.form_base import PortfolioForm
from app.form_fields import DateInputField, MultiCheckboxField
from app.models.registration import REGISTRATION_STATUSES
from app.services.pathway.programme_status import AFC_BANDS, FUNDING_LABELS, PATHWAY_STATUS_LABELS
from app.services.registration.gphc import REGISTER_LABELS
from app.services.registration.records import RegistrationDetails
from app.services.registration.revalidation_questions import RECORD_KINDS
from app.services.registration.revalidation_rules import GPHC_STANDARDS
from app.services.registration.rules import (
    QUALIFICATION_KINDS,
    QUALIFICATION_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
)

DATE_HINT = "For example, 15 3 2025"


class RegistrationForm(PortfolioForm):
    register = RadioField(
        "Which register are you on, or joining?",
        choices=[SelectChoice(key, label) for key, label in REGISTER_LABELS.items()][::-1],
        default="pharmacy-technician",
        validators=[DataRequired("Choose the register")],
        invalid_choice_message="Choose the register",
    )
    status = RadioField(
        "Registration status",
        choices=[SelectChoice(s, REGISTRATION_STATUS_LABELS[s]) for s in REGISTRATION_STATUSES],
        validators=[DataRequired("Choose your registration status")],
        invalid_choice_message="Choose your registration status",
    )
    number = StringField(
        "GPhC registration number",
        description="7 digits. Pharmacy technicians' numbers start with 5, pharmacists' with 2. "
        "Leave blank if you are not registered yet",
        validators=[Length(max=20)],
    )
    registered_on = DateInputField(
        "Date you joined the register",
        description="New registrants join on the 1st or the 15th of a month. " + DATE_HINT,
    )
    renewed_on = DateInputField(
        "Date your current registration year began",
        description="Only if you have renewed since joining: the day your last renewal "
        "took effect. The expiry is at most 13 months after it. " + DATE_HINT,
    )
    expires_on = DateInputField(
        "Date your registration expires", description="As shown on the GPhC register"
    )

    def details(self) -> RegistrationDetails:
        return RegistrationDetails(
            register=self.register.data,
            status=self.status.data,
            number=self.number.data,
            registered_on=self.registered_on.data,
            expires_on=self.expires_on.data,
            renewed_on=self.renewed_on.data,
        )


class QualificationForm(PortfolioForm):
    kind = RadioField(
        "Qualification",
        choices=[SelectChoice(kind.key, kind.label) for kind in QUALIFICATION_KINDS],
        validators=[DataRequired("Choose the qualification")],
        invalid_choice_message="Choose the qualification",
    )
    title = StringField(
        "Full title (for another qualification)",
        description="Only needed when you chose 'Other qualification'",
        validators=[Length(max=300)],
    )
    awarding_body = StringField(
        "Awarding body",
        description="For example City & Guilds, Pearson, Open Awards, NOCN or NCFE CACHE",
        validators=[Length(max=200)],
    )
    status = RadioField(
        "Where are you with it?",
        choices=[SelectChoice(k, v) for k, v in QUALIFICATION_STATUS_LABELS.items()],
        validators=[DataRequired("Choose where you are with the qualification")],
        invalid_choice_message="Choose where you are with the qualification",
    )
    justification = TextAreaField(
        "Why this qualification should count (for another qualification)",
        description="Only needed when you chose 'Other qualification': for example how it "
        "maps to a recognised Level 3 qualification. Your supervisor or lead reads this "
        "before verifying it",
        validators=[Length(max=2000)],
    )
    started_on = DateInputField("Course start date", description=DATE_HINT)
    achieved_on = DateInputField(
        "Date achieved",
        description="Leave blank until you have achieved it. For the older two-part route, "
        "give each part's date below instead",
    )
    first_part_achieved_on = DateInputField(
        "Date you achieved the Level 3 NVQ Diploma in Pharmacy Service Skills",
        description="Only for the older two-part route. Leave blank until achieved",
    )
    second_part_achieved_on = DateInputField(
        "Date you achieved the Level 3 Diploma in Pharmaceutical Science",
        description="Only for the older two-part route. The route is achieved when both parts are",
    )
    certificate = FileField(
        "Certificate (optional)",
        description="A PDF or a photo of the certificate. Uploading a new one replaces the old",
    )


class TrainingStartForm(PortfolioForm):
    started_on = DateInputField(
        "Date your work-based experience started",
        description="The first day of the training post. " + DATE_HINT,
        validators=[DateRequired("Enter the date your work-based experience started")],
    )


class WeekForm(PortfolioForm):
    week_starting = DateInputField(
        "Week starting (a Monday)",
        description="Logging a week again corrects it. " + DATE_HINT,
        validators=[DateRequired("Enter the Monday the week starts on")],
    )
    hours = StringField(
        "Hours worked that week",
        description="For the week your training started, the hours from its first day",
        validators=[DataRequired("Enter the hours worked"), Length(max=10)],
    )
    supervised_hours = StringField(
        "Hours directly accountable to a pharmacist or pharmacy technician",
        description="At least 14 in a week for the week to count",
        validators=[DataRequired("Enter the supervised hours (0 if none)"), Length(max=10)],
    )
    supervisor_name = StringField(
        "Name of the pharmacist or pharmacy technician", validators=[Length(max=200)]
    )


class DeclarationForm(PortfolioForm):
    period_start = DateInputField(
        "Start of the period you are declaring",
        validators=[DateRequired("Enter the start of the period")],
    )
    period_end = DateInputField(
        "End of the period", validators=[DateRequired("Enter the end of the period")]
    )
    confirm = BooleanField(
        "I confirm that the trainee completed this work-based experience under my supervision, "
        "as logged"
    )


class AgreementForm(PortfolioForm):
    """The GPhC's agreement to exceptional circumstances: until it is recorded the full
    requirement applies."""

    gphc_agreed_on = DateInputField(
        "Date the GPhC agreed", description="As given in the GPhC's reply. " + DATE_HINT
    )
    gphc_reference = StringField(
        "The GPhC's reference",
        description="The reference on the GPhC's reply",
        validators=[Length(max=100)],
    )


class ReasonForm(AgreementForm):
    reason = TextAreaField(
        "What are the exceptional circumstances?",
        description="For example a long illness or parental leave. Keep health details brief",
        validators=[DataRequired("Explain the exceptional circumstances"), Length(max=2000)],
    )


class ConfirmForm(PortfolioForm):
    """A button that changes state: a POST carrying the CSRF token and the record it acts on."""

    record_id = HiddenField()


class RecordFormBase(PortfolioForm):
    kind = HiddenField()
    copied_from_evidence_id = HiddenField()
    title = StringField(
        "Title", validators=[DataRequired("Give the record a title"), Length(max=200)]
    )
    occurred_on = DateInputField("Date of the activity", description=DATE_HINT)


def record_form_class(kind: str) -> type[RecordFormBase]:
    """A form with the GPhC's questions for one kind of revalidation record."""
    record_kind = RECORD_KINDS[kind]
    attributes: dict[str, object] = {}
    if kind == "peer-discussion":
        attributes["peer_name"] = StringField("Peer's name", validators=[Length(max=200)])
        attributes["peer_role"] = StringField(
            "Peer's role",
            description="For example, practice pharmacist",
            validators=[Length(max=200)],
        )
        attributes["not_a_relative"] = BooleanField("The peer is not a relative of mine")
        attributes["not_a_partner"] = BooleanField("The peer is not my partner")
        attributes["no_conflict_of_interest"] = BooleanField(
            "The peer has no conflict of interest, such as being my line manager"
        )
    if kind == "reflective-account":
        attributes["standards"] = MultiCheckboxField(
            "Which standards for pharmacy professionals does the account address?",
            choices=[SelectChoice(str(n), f"{n}. {t}") for n, t in GPHC_STANDARDS.items()],
            description="Select all that apply",
            validators=[Optional()],
            invalid_choice_message="Choose standards from the list",
        )
    for prompt in record_kind.prompts:
        attributes[prompt.name] = TextAreaField(
            prompt.label, description=prompt.hint, validators=[Length(max=10_000)]
        )
    return type(f"RecordForm_{kind.replace('-', '_')}", (RecordFormBase,), attributes)


class ProgrammeStatusForm(PortfolioForm):
    pathway_status = RadioField(
        "Pathway status",
        choices=[SelectChoice(k, v) for k, v in PATHWAY_STATUS_LABELS.items()],
        validators=[DataRequired("Choose the pathway status")],
        invalid_choice_message="Choose the pathway status",
    )
    exemption_document = FileField(
        "Exemption document",
        description="Needed when the status is exempt. Uploading a new one replaces the old",
    )
    wte = StringField(
        "Whole-time equivalent (WTE)",
        description="1 is full time; 0.6 is three days a week",
        validators=[Length(max=10)],
    )
    protected_learning_days_planned = StringField(
        "Protected learning days planned", validators=[Length(max=10)]
    )
    protected_learning_days_used = StringField(
        "Protected learning days used", validators=[Length(max=10)]
    )
    funding = RadioField(
        "Funding",
        choices=[SelectChoice("", "Not recorded")]
        + [SelectChoice(k, v) for k, v in FUNDING_LABELS.items()],
        default="",
        validate_choice=True,
        invalid_choice_message="Choose how the post is funded",
    )
    afc_band = SelectField(
        "Agenda for Change band",
        choices=[SelectChoice("", "Not recorded")]
        + [SelectChoice(b, f"Band {b}") for b in AFC_BANDS],
        invalid_choice_message="Choose a band from the list",
    )
