"""The long form of the progress report: one row per trainee x competency, for exports.

Statuses are `competency_statuses`', as kept beside each enrolment's progress summary
(`competency_progress`). The rows stream: trainees are read in batches (the progress
report's), and each batch's statuses and standing sign-offs are read with a fixed number of
queries and dropped once written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import NamedTuple

from flask import current_app

from app.models.users import User
from app.services.reporting import competency_progress
from app.services.reporting.competency_statuses import CompetencyRules, competency_statuses
from app.services.reporting.progress_facts import batched_reads
from app.services.reporting.progress_report import (
    TraineeIdentity,
    TraineeProgress,
    iter_identity_batches,
    iter_progress,
)
from app.services.reporting.scope import ReportFilters

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "ready": "Ready for sign-off",
    "signed_off": "Signed off",
}


class CompetencyRow(NamedTuple):
    """One trainee x competency. A named tuple, not a frozen dataclass: a region's export
    makes a hundred thousand of them."""

    enrolment_id: int
    trainee_id: int
    trainee: str
    gphc_number: str | None
    organisation: str | None
    cohort: str | None
    framework: str  # as `framework_label` names it
    domain_code: str
    domain_title: str
    competency_code: str
    competency_title: str
    status: str  # not_started | in_progress | ready | signed_off
    outcome: str | None  # the standing sign-off's outcome, if any
    signed_by: str | None
    signed_by_gphc: str | None
    signed_on: date | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _rows_for(
    trainees: Sequence[TraineeProgress | TraineeIdentity],
    competencies: dict[int, list[CompetencyRules]],
) -> Iterator[CompetencyRow]:
    kept = competency_progress.kept([trainee.enrolment_id for trainee in trainees])
    statuses = {(e, c): status for e, by in kept.items() for c, status in by.items()}
    for trainee, c, status, sign_off in competency_statuses(trainees, competencies, statuses):
        yield CompetencyRow(
            enrolment_id=trainee.enrolment_id,
            trainee_id=trainee.trainee_id,
            trainee=trainee.name,
            gphc_number=trainee.gphc_number,
            organisation=trainee.organisation,
            cohort=trainee.cohort,
            framework=c.framework,
            domain_code=c.domain_code,
            domain_title=c.domain_title,
            competency_code=c.code,
            competency_title=c.title,
            status=status,
            outcome=sign_off.outcome if sign_off else None,
            signed_by=sign_off.signer if sign_off else None,
            signed_by_gphc=sign_off.signer_gphc if sign_off else None,
            signed_on=sign_off.signed_at.date() if sign_off else None,
        )


def iter_competency_rows(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    today: date | None = None,
    batch_size: int | None = None,
) -> Iterator[CompetencyRow]:
    """Every trainee x competency in scope: trainees by name, competencies in framework order."""
    batch_size = batch_size or int(current_app.config.get("EXPORT_BATCH_SIZE", 1000))
    filters = filters or ReportFilters()
    competencies: dict[int, list[CompetencyRules]] = {}
    if not filters.flag:
        # Who each row is about is all the long form repeats: skip the report's aggregates.
        batched_reads()
        for trainees in iter_identity_batches(viewer, filters, batch_size=batch_size):
            yield from _rows_for(trainees, competencies)
        return
    batch: list[TraineeProgress] = []
    for trainee in iter_progress(viewer, filters, today=today, batch_size=batch_size):
        batch.append(trainee)
        if len(batch) >= batch_size:
            yield from _rows_for(batch, competencies)
            batch = []
    if batch:
        yield from _rows_for(batch, competencies)
