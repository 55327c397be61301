"""The columns of the progress exports, shared by CSV and XLSX so both say the same.

The wide sheet has one row per trainee (the dashboard's columns plus what a PCN or
training hub asks for under ARRS); the long sheet one row per trainee x competency.
Values keep their types (date, Decimal, int, str, None); each format writes them its way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from app.services.development.stages import STAGE_LABELS
from app.services.frameworks.labels import LabelsById
from app.services.pathway.programme_status import PATHWAY_STATUS_LABELS
from app.services.registration.rules import QUALIFICATION_STATUS_LABELS
from app.services.reporting.competency_report import CompetencyRow
from app.services.reporting.flags import ReportThresholds
from app.services.reporting.progress_report import DomainColumn, TraineeProgress

FUNDING_SHORT_LABELS = {"arrs": "ARRS", "other": "Other"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]  # attrgetter where a field is shown as it is: C-fast per cell
    width: int = 14  # characters, for spreadsheets
    # Values a CSV can take as they are: None, whole numbers, dates, or the product's own
    # words (never a person's text, which may start like a formula). False: through `cell`.
    as_is: bool = False


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _level3(row: TraineeProgress) -> str:
    if row.level3_status is None:
        return "Not recorded"
    return QUALIFICATION_STATUS_LABELS.get(row.level3_status, row.level3_status)


def _domain_columns(column: DomainColumn) -> list[Column]:
    def signed(row: TraineeProgress, code: str = column.code) -> int | None:
        found = row.domain(code)
        return found.signed_off if found else None

    def total(row: TraineeProgress, code: str = column.code) -> int | None:
        found = row.domain(code)
        return found.total if found else None

    name = f"{column.code} {column.title}"
    return [
        Column(f"{name}: signed off", signed, 12, as_is=True),
        Column(f"{name}: total", total, 12, as_is=True),
    ]


def wide_columns(domains: list[DomainColumn], thresholds: ReportThresholds) -> list[Column]:
    # long: the export's columns in order, one to a line: a table to read down, not logic
    labels = thresholds.labels()
    framework_of = LabelsById()
    return [
        Column("Trainee", attrgetter("name"), 24),
        Column("Email", attrgetter("email"), 28),
        Column("GPhC number", attrgetter("gphc_number"), 12),
        Column("Organisation", attrgetter("organisation"), 24),
        Column("Cohort", attrgetter("cohort"), 20),
        Column("Clinical supervisor", attrgetter("clinical_supervisor"), 22),
        Column("Education supervisor", attrgetter("education_supervisor"), 22),
        *(c for domain in domains for c in _domain_columns(domain)),
        Column("Competencies signed off", attrgetter("signed_off"), 12, as_is=True),
        Column("Competencies in total", attrgetter("total"), 12, as_is=True),
        Column("Progress (%)", attrgetter("percent"), 10, as_is=True),
        Column("Expected progress (%)", attrgetter("expected_percent"), 10, as_is=True),
        Column("Evidence awaiting review", attrgetter("awaiting_review"), 10, as_is=True),
        Column(
            "Oldest awaiting review since",
            lambda r: r.oldest_waiting_since.date() if r.oldest_waiting_since else None,
            12,
            as_is=True,
        ),
        Column("Last activity", attrgetter("last_activity_on"), 12, as_is=True),
        Column("Registration status", attrgetter("registration_label"), 18, as_is=True),
        Column("Registration expiry", attrgetter("registration_expires_on"), 12, as_is=True),
        Column("Renewal and revalidation due", attrgetter("renewal_deadline"), 12, as_is=True),
        Column("Registration verified", lambda r: _yes_no(r.registration_verified), 10, as_is=True),
        Column("Level 3 status", _level3, 14, as_is=True),
        Column("Level 3 verified", lambda r: _yes_no(r.level3_verified), 10, as_is=True),
        Column(
            "Supervision sessions in the last month",
            attrgetter("supervision_sessions"),
            12,
            as_is=True,
        ),
        Column("Last supervision session", attrgetter("last_supervision_on"), 12, as_is=True),
        Column(
            "Pathway status", lambda r: PATHWAY_STATUS_LABELS.get(r.pathway_status), 14, as_is=True
        ),
        Column(
            "Pathway stage",
            lambda r: STAGE_LABELS.get(r.pathway_stage or "", "Not recorded"),
            14,
            as_is=True,
        ),
        Column("Pathway stage since", attrgetter("pathway_stage_since"), 12, as_is=True),
        Column("Overdue objectives", attrgetter("overdue_objectives"), 10, as_is=True),
        Column("WTE", attrgetter("wte"), 8),
        Column("Funding", lambda r: FUNDING_SHORT_LABELS.get(r.funding or ""), 10, as_is=True),
        Column("AfC band", attrgetter("afc_band"), 8),
        Column("Protected learning days used", attrgetter("protected_learning_days_used"), 10),
        Column(
            "Protected learning days allowed",
            attrgetter("protected_learning_days_allowed"),
            10,
            as_is=True,
        ),
        Column("Start date", attrgetter("started_on"), 12, as_is=True),
        Column("Expected end date", attrgetter("expected_end_on"), 12, as_is=True),
        Column("Flags", lambda r: "; ".join(labels[f] for f in r.flags), 40, as_is=True),
        # Last, so the columns before keep their places; a provisional version says so.
        Column("Framework", lambda r: framework_of(r.framework_id), 40),
        # The enrolment lifecycle (issue 17.5), after the columns readers already rely on.
        Column("Enrolment status", attrgetter("status_label"), 12, as_is=True),
        Column("Days paused", attrgetter("paused_days"), 10, as_is=True),
        Column("Expected end date after pauses", attrgetter("adjusted_end_on"), 12, as_is=True),
        Column(
            "Protected learning days planned", attrgetter("protected_learning_days_planned"), 10
        ),
    ]


LONG_COLUMNS: list[Column] = [
    Column("Trainee", attrgetter("trainee"), 24),
    Column("GPhC number", attrgetter("gphc_number"), 12),
    Column("Organisation", attrgetter("organisation"), 24),
    Column("Cohort", attrgetter("cohort"), 20),
    Column("Framework", attrgetter("framework"), 40),
    Column("Domain", lambda r: f"{r.domain_code} {r.domain_title}", 30),
    Column("Competency code", attrgetter("competency_code"), 10),
    Column("Competency", attrgetter("competency_title"), 40),
    Column("Status", attrgetter("status_label"), 16, as_is=True),
    Column("Outcome", attrgetter("outcome"), 20),
    Column("Signed off by", attrgetter("signed_by"), 20),
    Column("Signer GPhC number", attrgetter("signed_by_gphc"), 12),
    Column("Signed off on", attrgetter("signed_on"), 12, as_is=True),
]


def values(columns: list[Column], row: TraineeProgress | CompetencyRow) -> list[Any]:
    return [column.value(row) for column in columns]
