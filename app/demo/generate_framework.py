"""The framework as the demo generator needs it: competencies with their sign-off rules,
evidence types with answers their own forms accept, and the outcomes of the scale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.demo import texts as words
from app.extensions import db
from app.models.frameworks import Competency, Domain, EvidenceType, ScaleValue
from app.services.portfolio.assessment_forms import FormDefinition, clean_answers, form_for
from app.services.portfolio.assessors import NUMBER_FIELD
from app.services.portfolio.content import guard_patient_data
from app.services.portfolio.sufficiency import Rule

VARIANTS_PER_TYPE = 3
# The types trainees log most often come first; anything else the framework lists follows.
COMMON_TYPES = {
    "reflective-account": 22,
    "work-based-observation": 14,
    "mini-cex": 10,
    "case-based-discussion": 10,
    "dops": 8,
    "witness-testimony": 8,
    "case-study": 6,
    "consultation-observation": 6,
}
RATINGS = ("3", "4", "4", "5", "5", "6")


@dataclass(frozen=True)
class CompetencyInfo:
    id: int
    code: str
    title: str
    rule: Rule


@dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    observed: bool
    has_assessor: bool
    variants: tuple[dict[str, object], ...]


@dataclass(frozen=True)
class OutcomeInfo:
    code: str
    label: str
    proficient: bool


@dataclass(frozen=True)
class FrameworkInfo:
    id: int
    competencies: tuple[CompetencyInfo, ...]
    types: tuple[TypeInfo, ...]
    type_weights: tuple[int, ...]
    outcomes: tuple[OutcomeInfo, ...]


def _answer(spec, variant: int, rng: random.Random, today: date) -> object | None:
    """A valid answer for one form field; None leaves an optional field blank."""
    if not spec.required and variant > 0 and spec.name != NUMBER_FIELD:
        return None
    if spec.kind == "date":
        return today.isoformat()
    if spec.kind == "integer":
        low = spec.min_value if spec.min_value is not None else 10
        high = spec.max_value if spec.max_value is not None else low + 50
        return rng.randint(low, high)
    if spec.kind == "choice":
        values = [c.value for c in spec.choices]
        if spec.name == "assessor_role":
            return "pharmacist"
        if spec.name == "overall_judgement":  # an item judged below would count for nothing
            return rng.choice(("at", "at", "above"))
        if set(RATINGS) <= set(values):
            return rng.choice(RATINGS)
        if "yes" in values:
            return "yes" if rng.random() < 0.9 else values[-1]
        return rng.choice(values)
    if spec.kind == "long_text":
        return words.LONG_SENTENCES[(variant * 3 + rng.randrange(8)) % len(words.LONG_SENTENCES)]
    if spec.name == "assessor_name":
        return "Assessor"
    if spec.name == NUMBER_FIELD:
        return "2000000"
    if spec.name == "procedure":
        return rng.choice(("Checking inhaler technique", "Measuring blood pressure"))
    return words.SETTINGS[variant % len(words.SETTINGS)]


def _variants(form: FormDefinition, rng: random.Random, today: date) -> tuple[dict, ...]:
    """Cleaned answers (title and date apart) that the form's own validation accepts."""
    found = []
    for variant in range(VARIANTS_PER_TYPE):
        answers: dict[str, object] = {}
        for spec in form.fields:
            if spec.name in ("title", "occurred_on"):
                continue
            value = _answer(spec, variant, rng, today)
            if value is not None:
                answers[spec.name] = value
        cleaned = clean_answers(
            form, {**answers, "title": words.EVIDENCE_TITLES[0], "occurred_on": today}, today=today
        )
        texts = [
            (spec.name, cleaned[spec.name])
            for spec in form.fields
            if spec.kind in ("text", "long_text") and spec.name in cleaned
        ]
        guard_patient_data(texts, confirmed=False, today=today)
        found.append({k: v for k, v in cleaned.items() if k not in ("title", "occurred_on")})
    return tuple(found)


def load_framework(framework_id: int, rng: random.Random, today: date) -> FrameworkInfo:
    competencies = tuple(
        CompetencyInfo(c.id, c.code, c.title, Rule.of(c))
        for c in db.session.scalars(
            select(Competency)
            .join(Domain, Domain.id == Competency.domain_id)
            .where(Competency.framework_id == framework_id)
            .order_by(Domain.position, Competency.position)
        )
    )
    types = []
    for t in db.session.scalars(
        select(EvidenceType)
        .where(EvidenceType.framework_id == framework_id)
        .order_by(EvidenceType.position)
    ):
        form = form_for(t.code, observed=t.observed)
        types.append(
            TypeInfo(t.id, t.code, t.observed, form.has_assessor, _variants(form, rng, today))
        )
    outcomes = tuple(
        OutcomeInfo(s.code, s.label, s.proficient)
        for s in db.session.scalars(
            select(ScaleValue)
            .where(ScaleValue.framework_id == framework_id)
            .order_by(ScaleValue.position)
        )
    )
    return FrameworkInfo(
        framework_id,
        competencies,
        tuple(types),
        tuple(COMMON_TYPES.get(t.code, 2) for t in types),
        outcomes,
    )
