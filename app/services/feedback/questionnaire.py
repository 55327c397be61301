"""The questionnaire a rater answers: a few statements rated on a five-point scale (or
"not able to say"), and two free-text questions. Short on purpose: it takes a colleague
about five minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.services.control_characters import control_character_problem
from app.services.errors import DomainError

QUESTIONS = (
    ("communication", "Communicates clearly and kindly with patients and colleagues"),
    ("teamwork", "Works well with the rest of the team"),
    ("reliability", "Is reliable and organised, and follows work through"),
    ("safety", "Works safely, and asks for help or speaks up when unsure"),
    ("professionalism", "Behaves professionally and respects confidentiality"),
)
RATINGS = (
    ("1", "Well below what I would expect"),
    ("2", "Below what I would expect"),
    ("3", "What I would expect"),
    ("4", "Above what I would expect"),
    ("5", "Well above what I would expect"),
    ("n/a", "I am not able to say"),
)
FREE_TEXT = (
    ("strengths", "What does the trainee do well?"),
    ("improvements", "What could the trainee do better, or develop next?"),
)
MAX_TEXT = 2000


@dataclass(frozen=True)
class Answers:
    ratings: dict[str, str]
    texts: dict[str, str]

    def as_dict(self) -> dict:
        return {"ratings": self.ratings, **self.texts}


class AnswersInvalid(DomainError):
    """Some answers are missing or wrong; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Check your answers", next(iter(errors)))
        self.errors = errors


def clean(form: Mapping[str, object]) -> Answers:
    """Every statement rated, each text within its limit; AnswersInvalid otherwise."""
    allowed = {value for value, _ in RATINGS}
    errors: dict[str, str] = {}
    ratings: dict[str, str] = {}
    for key, statement in QUESTIONS:
        value = str(form.get(key) or "")
        if value not in allowed:
            errors[key] = f"Choose a rating for: {statement}"
        else:
            ratings[key] = value
    texts: dict[str, str] = {}
    for key, _question in FREE_TEXT:
        text = str(form.get(key) or "").strip()
        problem = control_character_problem(text, "Your answer")
        if problem:
            errors[key] = problem
        elif len(text) > MAX_TEXT:
            errors[key] = f"Write no more than {MAX_TEXT} characters (you wrote {len(text)})"
        texts[key] = text
    if errors:
        raise AnswersInvalid(errors)
    return Answers(ratings, texts)
