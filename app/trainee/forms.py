"""Forms for the trainee's portfolio pages.

The evidence form is built from the type's form definition (`assessment_forms.form_for`),
so every type the services know gets its real fields without a form class per type.
These forms only parse input and carry the CSRF token: the evidence services validate
the answers and their errors come back onto the fields they name.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf.file import FileField
from sqlalchemy import Row
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from app.form_base import PortfolioForm
from app.form_fields import DateInputField, MultiCheckboxField
from app.models.evidence import EVIDENCE_STATUSES
from app.models.frameworks import Competency
from app.services.frameworks.catalogue import ChooserCompetency
from app.services.portfolio.assessment_forms import FormDefinition
from app.services.portfolio.attachments import ACCEPTED_DESCRIPTION
from app.services.portfolio.form_answers import Field as FieldSpec
from app.trainee.display import EVIDENCE_STATUS_LABELS

NOTE_FIELD_PREFIX = "note_"
DATE_HINT = "For example, 27 3 2025"


class ConfirmForm(PortfolioForm):
    """A button that changes state: a POST carrying only the CSRF token."""


class AttachmentForm(PortfolioForm):
    attachment = FileField("Choose a file to attach")


class ChooseTypeForm(PortfolioForm):
    """Step one of adding evidence; sent by GET because choosing changes nothing."""

    class Meta:
        csrf = False

    type = RadioField(
        "What type of evidence are you adding?",
        validate_choice=False,
    )


class EvidenceFilterForm(PortfolioForm):
    """Filters for the evidence list, read from the query string."""

    class Meta:
        csrf = False

    type = SelectField("Type", default="", invalid_choice_message="Choose a type from the list")
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            *(SelectChoice(s, EVIDENCE_STATUS_LABELS[s]) for s in EVIDENCE_STATUSES),
        ],
        default="",
        invalid_choice_message="Choose a status from the list",
    )
    competency = SelectField(
        "Competency", default="", invalid_choice_message="Choose a competency from the list"
    )
    occurred_from = DateInputField("Activity on or after", description=DATE_HINT)
    occurred_to = DateInputField("Activity on or before", description=DATE_HINT)

    def set_choices(self, types: Iterable[Row], competencies: Iterable[Row]) -> None:
        """The framework's types as (code, label) and competencies as (code, title) rows."""
        self.type.choices = [
            SelectChoice("", "Any type"),
            *(SelectChoice(t.code, t.label) for t in types),
        ]
        self.competency.choices = [
            SelectChoice("", "Any competency"),
            *(SelectChoice(c.code, f"{c.code} {c.title}") for c in competencies),
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.occurred_from.data, self.occurred_to.data
        if start and end and start > end:
            self.occurred_to.errors.append("The second date must be the same as or after the first")
            valid = False
        return valid


def note_field_name(competency: Competency | ChooserCompetency) -> str:
    # Ids, not codes: a framework's codes may hold characters a field name should not.
    return f"{NOTE_FIELD_PREFIX}{competency.id}"


def _field_for(spec: FieldSpec) -> Field:
    hint = spec.hint or ""
    label = f"{spec.label} (optional)" if not spec.required else spec.label
    if spec.kind == "date":
        return DateInputField(label, description=f"{hint} {DATE_HINT}".strip())
    if spec.kind == "long_text":
        return TextAreaField(label, description=hint)
    if spec.kind == "choice":
        return RadioField(
            label,
            choices=[SelectChoice(c.value, c.label) for c in spec.choices],
            description=hint,
            # The service checks the answer and says which choices are allowed.
            validate_choice=False,
        )
    # text and integer: the service cleans the number, so a typo gets its message, not WTForms'.
    return StringField(label, description=hint)


def evidence_form_class(
    definition: FormDefinition,
    competencies: Iterable[Competency | ChooserCompetency],
    *,
    max_links: int,
    with_attachment: bool,
    with_client_key: bool = False,
) -> type[PortfolioForm]:
    """A form class for one evidence type: its fields, the competency chooser, a note per
    competency, an optional file and the patient-data confirmation; for new evidence, the
    key the browser's script gives the draft (see `services.portfolio.drafts`)."""
    fields: dict[str, Field] = {spec.name: _field_for(spec) for spec in definition.fields}
    competencies = list(competencies)
    fields["competencies"] = MultiCheckboxField(
        "Which competencies does this evidence show?",
        choices=[SelectChoice(c.code, f"{c.code} {c.title}") for c in competencies],
        description=(
            f"Choose up to {max_links}. Link only what this evidence shows well: "
            "your supervisor checks every link."
        ),
        # The service names a code that is not in the trainee's framework.
        validate_choice=False,
    )
    for competency in competencies:
        fields[note_field_name(competency)] = TextAreaField(
            f"How does this evidence show {competency.code}? (optional)",
            description="A sentence or two helps your supervisor check the link",
        )
    if with_attachment:
        fields["attachment"] = FileField(
            "Attach a file (optional)",
            description=f"{ACCEPTED_DESCRIPTION}. You can attach more files after saving.",
        )
    if with_client_key:
        fields["client_key"] = HiddenField()
    fields["confirm_no_patient"] = BooleanField(
        "I confirm this does not identify a patient",
    )
    return type(f"{definition.key.title().replace('-', '')}EvidenceForm", (PortfolioForm,), fields)
