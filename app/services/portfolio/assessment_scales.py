"""The answer scales of the assessment forms, the level each rating reaches, and what an
item's answers reach as a whole (`assessment_of`): the overall judgement and the weakest
rated area, which sufficiency counts.

Levels are those of the consultation assessment tool (framework_spec.RATING_LEVELS):
below expectations, competent, excellent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from app.services.frameworks.framework_spec import RATING_LEVELS
from app.services.portfolio.assessors import ROLE_LABELS
from app.services.portfolio.form_answers import Choice, Field, FormDefinition

JUDGEMENT_FIELD = "overall_judgement"


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in pairs)


def _rated(*triples: tuple[str, str, str | None]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label, level) for value, label, level in triples)


# Each rating reaches a level: below what is expected, competent, or excellent.
SIX_POINT_SCALE = _rated(
    ("1", "1 - well below what is expected at this stage", "below"),
    ("2", "2 - below what is expected", "below"),
    ("3", "3 - borderline", "below"),
    ("4", "4 - meets what is expected", "competent"),
    ("5", "5 - above what is expected", "excellent"),
    ("6", "6 - well above what is expected", "excellent"),
    ("unable-to-comment", "Not seen, so unable to comment", None),
)
FIVE_POINT_SCALE = _rated(
    ("1", "1 - not shown", "below"),
    ("2", "2 - shown with major gaps", "below"),
    ("3", "3 - partly shown, some development needed", "below"),
    ("4", "4 - competently shown", "competent"),
    ("5", "5 - shown to a very high standard", "excellent"),
)
YES_NO_NA = _choices(("yes", "Yes"), ("no", "No"), ("not-applicable", "Not applicable"))
COMPLEXITY = _choices(("low", "Low"), ("medium", "Medium"), ("high", "High"))
EXPECTED_LEVEL = _choices(
    ("below", "Below the level expected at this stage of training"),
    ("at", "At the level expected"),
    ("above", "Above the level expected"),
)
ASSESSOR_ROLES = _choices(*ROLE_LABELS.items())
# Who fills in the assessor's part: the trainee from what the assessor wrote, or the
# assessor themselves through an e-mailed request (`app.services.assessments`).
COMPLETED_BY_FIELD = "completed_by"
COMPLETED_BY = _choices(
    ("trainee", "I will, from what the assessor wrote or told me"),
    ("assessor", "The assessor will, from a request I send them by email"),
)


class Assessment(NamedTuple):
    """What sufficiency reads from an item's answers: the overall judgement (below, at,
    above) and the lowest level its rated areas reach (an index of RATING_LEVELS)."""

    judgement: str | None
    rating_level: int | None


_JUDGED_LEVEL = {"below": "below", "at": "competent", "above": "excellent"}


def assessment_of(form: FormDefinition, answers: Mapping[str, object]) -> Assessment:
    """The judgement and the lowest rated area; a form with a judgement but no rated
    areas (an observation of practice) reaches the level its judgement names."""
    judgement = answers.get("overall_judgement")
    judgement = judgement if judgement in _JUDGED_LEVEL else None
    levels = [
        RATING_LEVELS.index(level)
        for spec in form.fields
        if spec.kind == "choice" and spec.name != JUDGEMENT_FIELD
        for level in [_level_of(spec, answers.get(spec.name))]
        if level is not None
    ]
    if levels:
        return Assessment(judgement, min(levels))
    if judgement is not None:
        return Assessment(judgement, RATING_LEVELS.index(_JUDGED_LEVEL[judgement]))
    return Assessment(None, None)


def _level_of(spec: Field, value: object) -> str | None:
    return next((c.level for c in spec.choices if c.value == value), None)
