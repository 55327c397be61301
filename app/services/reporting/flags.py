"""The flags a cohort dashboard raises on a trainee, as pure rules (no database, no Flask).

- stalled: nothing happened on the portfolio (evidence written or changed, a review, a
  sign-off) for `stalled_days`; a trainee who has done nothing since starting counts
  from the start date.
- review waiting: a submission has waited for review `review_wait_days` whole UK days or
  more (submitted on a day at least that many days before today). Every flag is decided
  by the day alone, so a count made in the morning holds all day (`flag_tallies`).
- behind: signed-off competencies are more than `behind_margin_percent` percentage
  points under the straight line from 0% at the start to 100% at the expected end.
- registration: the GPhC registration's renewal is due or overdue, or it has expired,
  lapsed or been removed.
- no supervision: no supervision session in the last `supervision_window_days`, once
  the trainee has been enrolled that long.
- Level 3 to verify: an "other" Level 3 qualification (outside the recognised list),
  flagged until someone verifies it.
While the training is paused nothing is expected of it: no stalled or no supervision
flag, and the paused days never count towards behind (`supervision.pauses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from flask import current_app

from app.services.clock import uk_day_start
from app.services.supervision.pauses import expected_days

REGISTRATION_FLAGS = ("renewal-due", "overdue", "expired", "lapsed", "removed")


class Flag(StrEnum):
    STALLED = "stalled"
    REVIEW_WAITING = "review-waiting"
    BEHIND = "behind"
    REGISTRATION = "registration"
    NO_SUPERVISION = "no-supervision"
    LEVEL3_TO_VERIFY = "level3-to-verify"


@dataclass(frozen=True)
class ReportThresholds:
    stalled_days: int = 42
    review_wait_days: int = 14
    behind_margin_percent: int = 10
    supervision_window_days: int = 31

    def labels(self) -> dict[Flag, str]:
        """Each flag in words, with the threshold it uses."""
        weeks, days = divmod(self.stalled_days, 7)
        stalled = f"{weeks} weeks" if not days else f"{self.stalled_days} days"
        return {
            Flag.STALLED: f"Stalled: no activity in {stalled}",
            Flag.REVIEW_WAITING: f"Review waiting over {self.review_wait_days} days",
            Flag.BEHIND: "Behind expected progress",
            Flag.REGISTRATION: "Registration renewal due or expired",
            Flag.NO_SUPERVISION: "No supervision session in the last month",
            Flag.LEVEL3_TO_VERIFY: "Other Level 3 qualification not yet verified",
        }


def report_thresholds() -> ReportThresholds:
    config = current_app.config
    return ReportThresholds(
        stalled_days=int(config.get("REPORT_STALLED_DAYS", 42)),
        review_wait_days=int(config.get("REPORT_REVIEW_WAIT_DAYS", 14)),
        behind_margin_percent=int(config.get("REPORT_BEHIND_MARGIN_PERCENT", 10)),
        supervision_window_days=int(config.get("REPORT_SUPERVISION_WINDOW_DAYS", 31)),
    )


def percent(part: int, whole: int) -> int:
    """A whole-number percentage, rounded down so progress is never overstated and 100%
    means everything; the report, the exports and the API all show this one number."""
    return (100 * part) // whole if whole else 0


def expected_percent(
    started_on: date, expected_end_on: date, today: date, days_paused: int = 0
) -> int:
    """Where a straight line from start (0%) to expected end (100%) stands today, paused
    days not counted (`supervision.pauses.expected_days`, the one rule)."""
    elapsed, duration = expected_days(started_on, expected_end_on, today, days_paused)
    return (100 * elapsed) // duration


def supervision_window_start(today: date, thresholds: ReportThresholds) -> date:
    """The first day counted as "the last month" (today is the last)."""
    return today - timedelta(days=thresholds.supervision_window_days - 1)


def waited_long_before(today: date, thresholds: ReportThresholds) -> datetime:
    """A submission made before this moment has waited long enough to raise the review
    waiting flag today: it was made `review_wait_days` or more UK days before today."""
    return uk_day_start(today - timedelta(days=thresholds.review_wait_days - 1))


class FlagFacts(NamedTuple):
    """What the flags are decided from, for one enrolment."""

    started_on: date
    last_activity_on: date
    oldest_waiting_since: datetime | None
    percent: int
    expected_percent: int
    total: int
    registration_flag: str
    supervision_sessions: int
    level3_to_verify: bool = False  # rules.flagged_until_verified
    paused: bool = False  # the training is paused: nothing is expected to happen


def is_behind(done: int, expected: int, total: int, thresholds: ReportThresholds) -> bool:
    """Signed off more than the margin under the straight line (a framework with nothing
    to sign off is never behind)."""
    return bool(total) and done < expected - thresholds.behind_margin_percent


def flags_for(facts: FlagFacts, thresholds: ReportThresholds, today: date) -> tuple[Flag, ...]:
    flags = []
    if not facts.paused and (today - facts.last_activity_on).days >= thresholds.stalled_days:
        flags.append(Flag.STALLED)
    waiting_since = facts.oldest_waiting_since
    if waiting_since is not None and waiting_since < waited_long_before(today, thresholds):
        flags.append(Flag.REVIEW_WAITING)
    if is_behind(facts.percent, facts.expected_percent, facts.total, thresholds):
        flags.append(Flag.BEHIND)
    if facts.registration_flag in REGISTRATION_FLAGS:
        flags.append(Flag.REGISTRATION)
    enrolled_long_enough = (today - facts.started_on).days >= thresholds.supervision_window_days
    if facts.supervision_sessions == 0 and enrolled_long_enough and not facts.paused:
        flags.append(Flag.NO_SUPERVISION)
    if facts.level3_to_verify:
        flags.append(Flag.LEVEL3_TO_VERIFY)
    return tuple(flags)
