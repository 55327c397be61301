"""The aggregated report of a feedback round: how many raters chose each rating for each
statement, and what they wrote, with nothing that says who wrote it.

- Below the round's `report_threshold` there is no report at all, for anyone: a handful
  of answers would show individual raters.
- Ratings are counts per statement; free text is listed question by question, each list
  sorted alphabetically, so neither the order of answers nor a pairing of one person's
  two answers survives.
- No names, roles or groups appear in it: it is the same document for the supervisor who
  releases it and the trainee who reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models.feedback import FeedbackResponse, FeedbackRound
from app.services.feedback.questionnaire import FREE_TEXT, QUESTIONS, RATINGS


@dataclass(frozen=True)
class StatementCounts:
    statement: str
    counts: tuple[tuple[str, int], ...]  # (rating label, how many) in the scale's order


@dataclass(frozen=True)
class TextAnswers:
    question: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    responses: int
    statements: tuple[StatementCounts, ...]
    texts: tuple[TextAnswers, ...]


def build_report(round_: FeedbackRound) -> Report | None:
    """The round's report; None while it has fewer responses than its threshold."""
    answers = list(
        db.session.scalars(
            select(FeedbackResponse.answers).where(FeedbackResponse.round_id == round_.id)
        )
    )
    if len(answers) < int(round_.rule["report_threshold"]):
        return None
    statements = tuple(
        StatementCounts(
            statement,
            tuple(
                (label, sum(1 for a in answers if a["ratings"].get(key) == value))
                for value, label in RATINGS
            ),
        )
        for key, statement in QUESTIONS
    )
    texts = tuple(
        TextAnswers(question, tuple(sorted((a[key] for a in answers if a.get(key)), key=_order)))
        for key, question in FREE_TEXT
    )
    return Report(len(answers), statements, texts)


def _order(text: str) -> tuple[str, str]:
    return (text.casefold(), text)


def report_text(report: Report) -> str:
    """The report as plain text: the released evidence item's content."""
    lines = [f"Combined feedback from {report.responses} colleagues.", ""]
    for item in report.statements:
        lines.append(f"{item.statement}:")
        lines.extend(f"- {label}: {n}" for label, n in item.counts)
        lines.append("")
    for block in report.texts:
        lines.append(block.question)
        lines.extend(f"- {text}" for text in block.answers or ("(no answers)",))
        lines.append("")
    return "\n".join(lines).strip()
