"""The progress report's row types: a trainee's row (`TraineeProgress`) with its counts by
domain, the whole report and one page of it, and the bare identity the long export repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from app.models.enrolments import ENROLMENT_STATUS_LABELS
from app.services.paging import PageNumbers
from app.services.reporting.flags import Flag, ReportThresholds, percent
from app.services.supervision.pauses import PauseSpan


@dataclass(frozen=True, slots=True)
class DomainColumn:
    code: str
    title: str


class DomainCount(NamedTuple):
    code: str
    title: str
    signed_off: int
    total: int

    @property
    def percent(self) -> int:
        return percent(self.signed_off, self.total)


@dataclass(frozen=True, slots=True)
class TraineeProgress:
    """One trainee's row. Dates are UTC calendar days; `flags` are `Flag` values."""

    enrolment_id: int
    trainee_id: int
    name: str
    email: str
    gphc_number: str | None
    organisation_id: int | None
    organisation: str | None
    cohort_id: int | None
    cohort: str | None
    framework_id: int
    clinical_supervisor_id: int | None
    clinical_supervisor: str | None
    education_supervisor_id: int | None
    education_supervisor: str | None
    domains: tuple[DomainCount, ...]
    signed_off: int
    total: int
    percent: int
    expected_percent: int
    awaiting_review: int
    oldest_waiting_since: datetime | None
    last_activity_on: date
    registration_status: str | None  # Registration.status of the current row, if any
    registration_flag: str  # registration.FLAG_COLOURS key: current, renewal-due, ...
    registration_label: str
    registration_expires_on: date | None
    renewal_deadline: date | None  # renewal and revalidation are due by this day
    registration_verified: bool
    level3_status: str | None  # Qualification.status, None when nothing is recorded
    level3_verified: bool
    supervision_sessions: int  # held in the last month (REPORT_SUPERVISION_WINDOW_DAYS)
    last_supervision_on: date | None
    pathway_status: str
    wte: Decimal | None
    funding: str | None
    afc_band: str | None
    protected_learning_days_used: Decimal
    protected_learning_days_planned: Decimal | None  # None until the employer's plan is recorded
    protected_learning_days_allowed: int
    started_on: date
    expected_end_on: date
    flags: tuple[Flag, ...]
    # PCPEP: the current stage (entry, intermediate, advanced; None before one is recorded)
    # and the day it began; objectives still open after their target date.
    pathway_stage: str | None = None
    pathway_stage_since: date | None = None
    overdue_objectives: int = 0
    # The enrolment's status (active or paused), the days paused so far, which expected
    # progress leaves out, the pauses themselves and the expected end moved by them.
    status: str = "active"
    paused_days: int = 0
    pauses: tuple[PauseSpan, ...] = ()
    adjusted_end_on: date | None = None

    @property
    def status_label(self) -> str:
        return ENROLMENT_STATUS_LABELS.get(self.status, self.status)

    def domain(self, code: str) -> DomainCount | None:
        for count in self.domains:  # a handful: a loop beats building a lookup per row
            if count.code == code:
                return count
        return None


@dataclass(frozen=True)
class Report:
    """Every row matching the filters (by name), with the counts the dashboard summarises."""

    domain_columns: list[DomainColumn]
    rows: list[TraineeProgress]
    flag_counts: dict[Flag, int]  # over the rows before the flag filter
    thresholds: ReportThresholds
    today: date


@dataclass(frozen=True)
class ReportPage(PageNumbers):
    rows: list[TraineeProgress]
    total: int
    page: int
    per_page: int
    domain_columns: list[DomainColumn]
    # None when they were not asked for (the API's list shows none).
    flag_counts: dict[Flag, int] | None
    thresholds: ReportThresholds

    @property
    def shown(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, slots=True)
class TraineeIdentity:
    """Who a report row is about, without the facts: what the long export repeats."""

    enrolment_id: int
    trainee_id: int
    name: str
    gphc_number: str | None
    organisation: str | None
    cohort: str | None
    framework_id: int
