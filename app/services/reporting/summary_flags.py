"""The report's flags (`flags.flags_for`) asked of a progress summary's inputs, as SQL
conditions: each holds for a summary exactly when `flags_for` raises the flag on that
enrolment's facts, which `tests/lead/test_progress_page.py` checks flag by flag.
Each is decided by the day alone, so a count made in the morning holds all day.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, or_

from app.models.progress import ProgressSummary
from app.services.reporting.flags import (
    Flag,
    ReportThresholds,
    supervision_window_start,
    waited_long_before,
)


def flag_conditions(thresholds: ReportThresholds, today: date) -> dict[Flag, ColumnElement[bool]]:
    """Each flag as a condition on a summary (its inputs and placing alone)."""
    summary = ProgressSummary
    not_paused = summary.status != "paused"
    window_start = supervision_window_start(today, thresholds)
    return {
        Flag.STALLED: not_paused
        & (summary.last_activity_on <= today - timedelta(days=thresholds.stalled_days)),
        Flag.REVIEW_WAITING: summary.oldest_waiting_since < waited_long_before(today, thresholds),
        Flag.BEHIND: summary.behind_from <= today,
        Flag.REGISTRATION: summary.registration_flag_from <= today,
        Flag.NO_SUPERVISION: not_paused
        & (summary.started_on <= today - timedelta(days=thresholds.supervision_window_days))
        & or_(summary.last_supervision_on.is_(None), summary.last_supervision_on < window_start),
        Flag.LEVEL3_TO_VERIFY: summary.level3_to_verify.is_(True),
    }
