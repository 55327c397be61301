"""Each enrolment's progress, summed up: what the dashboards, the API's trainee list and the
exports read instead of adding up evidence and sign-offs on every request.

A row is kept true in the transaction of every change that moves it
(`app.services.reporting.summary_upkeep`) and can be recomputed from the records at any
time (`reports verify-summary`). Flags that turn on with the passing of time are kept as
their inputs: the day each one starts, or the dates it is reckoned from. The enrolment's
placing (the trainee's organisation, the cohort, status, supervisors and dates) is kept
beside them, so a report's scope, flags and charts are read from this table alone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class ProgressSummary(Base):
    __tablename__ = "progress_summaries"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    # Competencies of the enrolment's framework version, and how far each has got, as a
    # lead sees them (drafts are the trainee's own, so only shared evidence counts).
    competencies: Mapped[int]
    signed_off: Mapped[int]
    ready: Mapped[int]
    in_progress: Mapped[int]
    percent: Mapped[int] = mapped_column(index=True)  # flags.percent of the two above
    # Evidence submitted and waiting for review, and since when the oldest has waited.
    awaiting_review: Mapped[int] = mapped_column(index=True)
    oldest_waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The day of the latest evidence change, review or sign-off, or the start day.
    last_activity_on: Mapped[date] = mapped_column(index=True)
    last_supervision_on: Mapped[date | None]  # with the clinical supervisor
    registration_expires_on: Mapped[date | None] = mapped_column(index=True)
    # The first day the behind and registration flags hold, as the records stand
    # (None: never); the date rules that decide them are the report's own.
    behind_from: Mapped[date | None] = mapped_column(index=True)
    registration_flag_from: Mapped[date | None] = mapped_column(index=True)
    level3_to_verify: Mapped[bool]
    # The enrolment's placing, as the enrolment and its trainee's organisation stand.
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    cohort_id: Mapped[int | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20))
    clinical_supervisor_id: Mapped[int | None] = mapped_column(index=True)
    education_supervisor_id: Mapped[int | None] = mapped_column(index=True)
    started_on: Mapped[date]
    expected_end_on: Mapped[date]


class CompetencyProgress(Base):
    """Each competency of an enrolment's framework version, with its status as a lead sees
    it (`competency_statuses`): kept with the enrolment's summary, in the same transaction
    (only a status that moved is written), so that the long export reads statuses instead
    of adding up every link in scope."""

    __tablename__ = "competency_progress"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # not_started | in_progress | ready | signed_off
    status: Mapped[str] = mapped_column(String(20))


class FlagTally(Base):
    """How many of an organisation's current enrolments (its own trainees, not those of
    the organisations below it) each flag is raised on, as counted from their summaries on
    `counted_on` with the thresholds `thresholds` names (`flag_tallies`). A region's
    dashboard adds these up instead of counting every summary in the region."""

    __tablename__ = "flag_tallies"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    counted_on: Mapped[date]
    thresholds: Mapped[str] = mapped_column(String(40))  # flag_tallies.thresholds_key
    enrolments: Mapped[int]
    # One column for each flag (`flag_tallies.COLUMNS`).
    stalled: Mapped[int]
    review_waiting: Mapped[int]
    behind: Mapped[int]
    registration: Mapped[int]
    no_supervision: Mapped[int]
    level3_to_verify: Mapped[int]
