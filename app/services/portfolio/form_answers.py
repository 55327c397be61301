"""Forms as data, and checking a person's answers against one.

A form is sections of fields; each field has a kind (text, long_text, date, integer,
choice) that decides how its answer is cleaned. Checking returns every field's error
at once, so a page can mark them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from app.services.date_ranges import date_range_problem
from app.services.errors import DomainError

TEXT_MAX = 200
LONG_TEXT_MAX = 10_000
# Answers record what a trainee did in training: a date before this is a typing slip
# (1025 for 2025), whether typed in the pages' date boxes or sent to the API.
EARLIEST_ACTIVITY_DATE = date(2000, 1, 1)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    # On a rating scale, the level this answer reaches (framework_spec.RATING_LEVELS).
    level: str | None = None


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    # text | long_text | date | integer | choice
    kind: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    hint: str | None = None
    min_value: int | None = None
    max_value: int | None = None

    def choice_label(self, value: str) -> str | None:
        return next((c.label for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]
    hint: str | None = None


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    sections: tuple[Section, ...]
    has_assessor: bool = False

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


class FormInvalid(DomainError):
    """Some fields failed validation; `errors` maps each field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Check the answers marked with an error", next(iter(errors), None))
        self.errors = errors


@dataclass
class AnswerCleaner:
    today: date
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def clean(self, spec: Field, raw: object) -> None:
        text = raw.strip() if isinstance(raw, str) else raw
        if text is None or text == "":
            if spec.required:
                verb = "Choose an answer for" if spec.kind == "choice" else "Enter"
                self.errors[spec.name] = f"{verb} {lower_first(spec.label)}"
            return
        cleaner = getattr(self, f"_clean_{spec.kind}")
        try:
            self.values[spec.name] = cleaner(spec, text)
        except ValueError as exc:
            self.errors[spec.name] = str(exc)

    def _clean_text(self, spec: Field, value: object) -> str:
        return self._string(spec, value, TEXT_MAX)

    def _clean_long_text(self, spec: Field, value: object) -> str:
        return self._string(spec, value, LONG_TEXT_MAX)

    def _string(self, spec: Field, value: object, limit: int) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{spec.label} must be text")
        if len(value) > limit:
            raise ValueError(f"{spec.label} must be {limit:,} characters or fewer")
        return value

    def _clean_choice(self, spec: Field, value: object) -> str:
        if not isinstance(value, str) or spec.choice_label(value) is None:
            raise ValueError(f"Choose one of the listed answers for {lower_first(spec.label)}")
        return value

    def _clean_integer(self, spec: Field, value: object) -> int:
        # A JSON body may hold true, 30.5 or Infinity: none is a whole number (30.0 is).
        fractional = isinstance(value, float) and not value.is_integer()
        if isinstance(value, bool) or fractional:
            raise ValueError(f"{spec.label} must be a whole number")
        try:
            number = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise ValueError(f"{spec.label} must be a whole number") from None
        if spec.min_value is not None and number < spec.min_value:
            raise ValueError(f"{spec.label} must be at least {spec.min_value}")
        if spec.max_value is not None and number > spec.max_value:
            raise ValueError(f"{spec.label} must be at most {spec.max_value}")
        return number

    def _clean_date(self, spec: Field, value: object) -> str:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                raise ValueError(f"{spec.label} must be a real date, like 2025-03-27") from None
        if day > self.today:
            raise ValueError(f"{spec.label} must be today or in the past")
        problem = date_range_problem(
            day, spec.label, earliest=EARLIEST_ACTIVITY_DATE, latest=self.today
        )
        if problem:
            raise ValueError(problem)
        return day.isoformat()


def lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def check_answers(
    form: FormDefinition, answers: Mapping[str, object], *, today: date
) -> AnswerCleaner:
    """Clean every field's answer; the result holds `values` and `errors` by field name."""
    cleaner = AnswerCleaner(today)
    for spec in form.fields:
        cleaner.clean(spec, answers.get(spec.name))
    return cleaner
