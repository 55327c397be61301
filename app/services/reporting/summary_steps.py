"""The changes a progress summary follows step by step instead of recomputing, each exact
for the change it names (`summary_upkeep` decides when one applies; `reports
verify-summary` and the stateful test check the result against `progress_summary.compute`).

- A draft nobody else sees, written or edited, moves only the day of the last activity.
- An item shared by its submission (a draft becoming submitted, its accepted version, if
  any, unchanged) adds one to the backlog, may start the oldest wait, moves the day on,
  and starts each competency its current version links that nothing shared linked
  before (`competency_progress.share`). Nothing accepted moves, so no rule's count does.

Of the flags' inputs, a step moves only the day of the last activity (a wait it starts
began today, so it raises no flag): its organisation's flag tally can move only when the
trainee was stalled (`flag_tallies.lock_organisations`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, or_, update

from app.extensions import db
from app.models.progress import ProgressSummary
from app.services.reporting import competency_progress


def note_activity(enrolment_id: int, day: date) -> None:
    """Move the last activity on to `day` (if later): all a change to a draft nobody else
    sees moves (one statement)."""
    db.session.execute(
        update(ProgressSummary)
        .where(ProgressSummary.enrolment_id == enrolment_id)
        .where(ProgressSummary.last_activity_on < day)
        .values(last_activity_on=day)
    )


def note_submission(enrolment_id: int, evidence_id: int, submitted_at: datetime, day: date) -> None:
    """Sum up the submission of a draft (two statements): see the module's note."""
    started = competency_progress.share(enrolment_id, evidence_id)
    oldest = ProgressSummary.oldest_waiting_since
    latest = ProgressSummary.last_activity_on
    db.session.execute(
        update(ProgressSummary)
        .where(ProgressSummary.enrolment_id == enrolment_id)
        .values(
            awaiting_review=ProgressSummary.awaiting_review + 1,
            oldest_waiting_since=case(
                (or_(oldest.is_(None), oldest > submitted_at), submitted_at), else_=oldest
            ),
            last_activity_on=case((latest < day, day), else_=latest),
            in_progress=ProgressSummary.in_progress + started,
        )
    )
