"""How portfolio records read on a page: status words, answers as text, what changed.

Presentation only: the rules that produce these values live in `app.services`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask import url_for
from markupsafe import Markup

from app.models.evidence import EvidenceVersion
from app.nhsuk_components import render_component
from app.services.assessments import completion
from app.services.assessments.completion import Provenance
from app.services.portfolio.assessment_forms import FormDefinition
from app.services.portfolio.assessors import Assessor, with_current_names
from app.services.portfolio.sufficiency import CompetencyProgress
from app.templating import format_date

# Status is always written in words; the colour only repeats it.
EVIDENCE_STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Waiting for review",
    "changes_requested": "Changes requested",
    "accepted": "Accepted",
}
EVIDENCE_STATUS_TAGS = {
    "draft": "nhsuk-tag--grey",
    "submitted": "nhsuk-tag--blue",
    "changes_requested": "nhsuk-tag--orange",
    "accepted": "nhsuk-tag--green",
}
COMPETENCY_STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "ready": "Ready for sign-off",
    "signed_off": "Signed off",
}
COMPETENCY_STATUS_TAGS = {
    "not_started": "nhsuk-tag--grey",
    "in_progress": "nhsuk-tag--blue",
    "ready": "nhsuk-tag--yellow",
    "signed_off": "nhsuk-tag--green",
}
# Names `evidence_content.changed_fields` uses beyond the form's own fields.
CHANGE_LABELS = {
    "title": "title",
    "occurred_on": "date of the activity",
    "competencies": "competencies linked",
    "attachments": "attached files",
}


def evidence_tag(status: str) -> dict:
    """Params for the NHS tag component."""
    return {"text": EVIDENCE_STATUS_LABELS[status], "classes": EVIDENCE_STATUS_TAGS[status]}


def competency_tag(status: str) -> dict:
    return {"text": COMPETENCY_STATUS_LABELS[status], "classes": COMPETENCY_STATUS_TAGS[status]}


def evidence_status(status: str) -> Markup:
    """The evidence status as an NHS tag: words first, the colour only repeats them."""
    return render_component("tag", evidence_tag(status))


def competency_status(status: str) -> Markup:
    return render_component("tag", competency_tag(status))


def competency_tasks(competencies: Iterable[CompetencyProgress]) -> list[dict]:
    """Items of the NHS task list component for competencies: each links to its page, with
    what it still needs and where it stands."""
    return [
        {
            "title": {"text": f"{c.code} {c.title}"},
            "href": url_for("trainee.competency", competency_code=c.code),
            "hint": missing_text(c),
            "status": {"tag": competency_tag(c.status)},
        }
        for c in competencies
    ]


def missing_text(progress: CompetencyProgress) -> str:
    """One line on what a competency still needs, for lists of competencies."""
    if progress.status == "signed_off":
        return "Signed off"
    if progress.status == "ready":
        return "Ready: ask your supervisor to sign it off"
    text = "; ".join(progress.missing)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Answer:
    label: str
    text: str
    long: bool = False


@dataclass(frozen=True)
class AnswerSection:
    title: str
    answers: list[Answer]


def _as_text(kind: str, value: object, choice_label: Callable[[str], str | None]) -> str:
    if kind == "date":
        return format_date(date.fromisoformat(str(value)))
    if kind == "choice":
        return choice_label(str(value)) or str(value)
    return str(value)


@dataclass(frozen=True)
class AssessmentSummary:
    """Who assessed a version and how they judged it, for the top of its page."""

    assessor: Assessor | None
    judgement: str | None  # the judgement's label
    judged_below: bool
    # Who filled in the assessor's part: the assessor themselves (through a request, their
    # identity confirmed by an e-mailed code) or the trainee (issue 16).
    provenance: Provenance | None = None
    statement: str | None = None  # a witness's own statement, when they gave one


def assessment_summary(
    definition: FormDefinition, version: EvidenceVersion
) -> AssessmentSummary | None:
    """The version's assessor and overall judgement; None when its form records neither."""
    fields = with_current_names(version.fields)
    assessor = Assessor.from_answers(fields)
    judgement = None
    if "overall_judgement" in {spec.name for spec in definition.fields}:
        chosen = fields.get("overall_judgement")
        judgement = definition.field("overall_judgement").choice_label(str(chosen))
    if assessor is None and judgement is None:
        return None
    statement = fields.get("witness_statement")
    return AssessmentSummary(
        assessor,
        judgement,
        version.judged_below,
        completion.provenance(version.evidence, version.number),
        str(statement) if statement else None,
    )


def answer_sections(
    definition: FormDefinition, title: str, occurred_on: date, fields: Mapping[str, object]
) -> list[AnswerSection]:
    """A version's answers in the form's order, with labels; unanswered optional ones left out."""
    values = {**with_current_names(fields), "title": title, "occurred_on": occurred_on.isoformat()}
    sections = []
    for section in definition.sections:
        answers = [
            Answer(
                spec.label,
                _as_text(spec.kind, values[spec.name], spec.choice_label),
                long=spec.kind == "long_text",
            )
            for spec in section.fields
            if values.get(spec.name) not in (None, "")
        ]
        if answers:
            sections.append(AnswerSection(section.title, answers))
    return sections


def change_labels(definition: FormDefinition, names: list[str]) -> list[str]:
    """Field names from `changed_fields` as words a person recognises."""
    labels = {spec.name: spec.label.lower() for spec in definition.fields}
    labels.update(CHANGE_LABELS)
    return [labels.get(name, name.replace("_", " ")) for name in names]
