"""What the feedback pages show, worked out once: the trainee's view (counts only, never
who answered) and the supervisor's (progress against the rule, group by group)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.models.base import utcnow
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.feedback import FeedbackRound
from app.services.clock import uk_today
from app.services.feedback import rounds
from app.services.feedback.report import Report, build_report
from app.services.feedback.rules import Standing, rule_for
from app.services.frameworks.framework_spec import MsfRule

STATUS_LABELS = {
    "open": "Collecting answers",
    "valid": "Closed as valid: report not released yet",
    "invalid": "Closed as not valid",
    "released": "Valid: report released",
}


@dataclass(frozen=True)
class RoundSummary:
    round: FeedbackRound
    standing: Standing
    asked: int
    collecting: bool
    days_left: int
    status_label: str

    @property
    def answered(self) -> int:
        return self.standing.received

    @property
    def waiting_for_decision(self) -> bool:
        return self.round.status == "open" and not self.collecting


@dataclass(frozen=True)
class FeedbackOverview:
    rule: MsfRule | None
    current: RoundSummary | None
    past: list[RoundSummary]
    opening_refusal: str  # "" when a round may open now
    may_change: bool  # the enrolment still takes new rounds and nominations


def summary(round_: FeedbackRound, now: datetime, asked: int | None = None) -> RoundSummary:
    return RoundSummary(
        round=round_,
        standing=rounds.round_standing(round_),
        asked=len(round_.raters) if asked is None else asked,
        collecting=rounds.collecting(round_, now),
        days_left=rounds.days_left(round_, now),
        status_label=STATUS_LABELS[round_.status],
    )


def overview_for(enrolment: Enrolment, now: datetime | None = None) -> FeedbackOverview:
    now = now or utcnow()
    rule = rule_for(enrolment.framework_id)
    found = rounds.rounds_for(enrolment.id) if rule else []
    asked = rounds.asked_counts([r.id for r in found])
    all_rounds = [summary(r, now, asked.get(r.id, 0)) for r in found]
    current = next((s for s in all_rounds if s.round.status == "open"), None)
    may_change = enrolment.status in CURRENT_ENROLMENT_STATUSES
    refusal = ""
    if rule is not None:
        refusal = rounds.opening_refusal(enrolment.id, rule, now)
    return FeedbackOverview(
        rule=rule,
        current=current,
        past=[s for s in all_rounds if s is not current],
        opening_refusal=refusal,
        may_change=may_change,
    )


def awaiting_release(enrolment_id: int) -> tuple[FeedbackRound, Report | None] | None:
    """The round closed as valid whose report the supervisor has yet to release."""
    for round_ in rounds.rounds_for(enrolment_id):
        if round_.status == "valid":
            return round_, build_report(round_)
    return None


def opened_on(round_: FeedbackRound) -> date:
    return uk_today(round_.opened_at)


def closes_on(round_: FeedbackRound) -> date:
    return uk_today(round_.closes_at)
