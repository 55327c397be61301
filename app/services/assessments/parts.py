"""Which answers of an evidence form are the assessor's, and what the assessor is shown.

A structured form's first section ("About this activity") is the trainee's: what was
assessed, when and where. Every later section (ratings, feedback, the judgement) is the
assessor's. A witness testimony has no assessor sections of its own, so the witness
writes a statement. The assessor's identity (name, role, registration number) is asked
on its own step, checked for shape, and the date they completed is the day they submit.

The assessor sees the trainee's name, the item's title, date, setting and description,
and the competencies it is linked to: nothing else of the portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.evidence import Evidence, EvidenceVersion
from app.models.frameworks import EvidenceType
from app.services.portfolio.assessment_forms import form_for
from app.services.portfolio.assessment_scales import COMPLETED_BY_FIELD
from app.services.portfolio.assessors import NUMBER_FIELD
from app.services.portfolio.form_answers import Field, FormDefinition, Section

# Evidence types that are not a structured assessment form but still have someone who
# watched: they answer with a statement. Keyed by code, like the structured forms.
WITNESS_TYPE_CODES = frozenset({"witness-testimony"})
IDENTITY_FIELDS = ("assessor_name", "assessor_role", NUMBER_FIELD)
ASSESSED_ON = "assessed_on"
WITNESS_STATEMENT = Section(
    "Your statement",
    (
        Field(
            "witness_statement",
            "What you saw the trainee do, and how well they did it",
            "long_text",
            hint="Describe what you saw yourself. Do not include anything that identifies a "
            "patient",
        ),
    ),
)


def _form(evidence_type: EvidenceType) -> FormDefinition:
    return form_for(evidence_type.code, observed=evidence_type.observed)


def can_be_requested(evidence_type: EvidenceType) -> bool:
    """An assessor can be asked to complete items of this type."""
    return _form(evidence_type).has_assessor or evidence_type.code in WITNESS_TYPE_CODES


def trainee_part(form: FormDefinition) -> FormDefinition:
    """The form as the trainee fills it when the assessor completes the rest: the first
    section, and the question of who completes the assessor's part."""
    chooser = form.field(COMPLETED_BY_FIELD)
    return FormDefinition(
        form.key,
        form.title,
        (form.sections[0], Section("The assessor", (chooser,))),
        has_assessor=False,
    )


def assessor_sections(evidence_type: EvidenceType) -> tuple[Section, ...]:
    """The sections the assessor answers on the form page (identity is its own step)."""
    form = _form(evidence_type)
    if not form.has_assessor:
        return (WITNESS_STATEMENT,)
    kept = []
    skip = {COMPLETED_BY_FIELD, ASSESSED_ON, *IDENTITY_FIELDS}
    for section in form.sections[1:]:
        fields = tuple(f for f in section.fields if f.name not in skip)
        if fields:
            kept.append(Section(section.title, fields, section.hint))
    return tuple(kept)


def assessor_form(evidence_type: EvidenceType) -> FormDefinition:
    return FormDefinition("assessor-part", "The assessor's part", assessor_sections(evidence_type))


def locked_names(evidence_type: EvidenceType) -> tuple[str, ...]:
    """Every answer the assessor gave, which the trainee can never change afterwards."""
    names = [f.name for s in assessor_sections(evidence_type) for f in s.fields]
    if _form(evidence_type).has_assessor:
        names += [*IDENTITY_FIELDS, ASSESSED_ON, COMPLETED_BY_FIELD]
    return tuple(names)


@dataclass(frozen=True)
class Context:
    """What the assessor is told about the work they are asked to assess."""

    trainee_name: str
    type_label: str
    title: str
    occurred_on: object
    setting: str | None
    description: str | None
    competencies: tuple[tuple[str, str], ...]


def context_of(evidence: Evidence, version: EvidenceVersion) -> Context:
    fields = version.fields or {}
    description = fields.get("focus") or fields.get("description")
    return Context(
        trainee_name=evidence.enrolment.trainee.name,
        type_label=evidence.evidence_type.label,
        title=version.title,
        occurred_on=version.occurred_on,
        setting=fields.get("setting") or None,
        description=str(description) if description else None,
        competencies=tuple((link.competency.code, link.competency.title) for link in version.links),
    )
