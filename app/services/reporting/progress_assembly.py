"""A trainee's progress row put together from their base row and the facts read for their
batch: progress by domain, the last activity, registration, supervision and the flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.services.registration.records import status_of
from app.services.registration.settings import protected_learning_days
from app.services.reporting.flags import (
    FlagFacts,
    ReportThresholds,
    expected_percent,
    flags_for,
    percent,
)
from app.services.reporting.progress_base import BaseRow
from app.services.reporting.progress_facts import (
    ActivityFacts,
    DomainInfo,
    ProgressFacts,
    read_facts,
)
from app.services.reporting.progress_rows import DomainCount, TraineeProgress
from app.services.supervision.pauses import adjusted_end, paused_days


@dataclass(frozen=True)
class _Framework:
    """What every row on one framework shares: its domains, in order, and its size."""

    domain_ids: tuple[int, ...]
    codes: tuple[str, ...]
    titles: tuple[str, ...]
    totals: tuple[int, ...]
    total: int

    @classmethod
    def of(cls, infos: list[DomainInfo]) -> _Framework:
        totals = tuple(d.total for d in infos)
        return cls(
            tuple(d.id for d in infos),
            tuple(d.code for d in infos),
            tuple(d.title for d in infos),
            totals,
            sum(totals),
        )

    def counts(self, signed: dict[int, int]) -> tuple[tuple[DomainCount, ...], int]:
        """Each domain's count from a row's sign-offs by domain id, and their sum."""
        per_domain = [signed.get(domain_id, 0) for domain_id in self.domain_ids]
        counts = tuple(map(DomainCount, self.codes, self.titles, per_domain, self.totals))
        return counts, sum(per_domain)


@dataclass(frozen=True, slots=True)
class _Batch:
    """What every row of one batch shares: its facts, the frameworks, the day and rules."""

    facts: ProgressFacts
    frameworks: dict[int, _Framework]
    allowance: int  # protected learning days a year
    today: date
    thresholds: ReportThresholds


_NOTHING_SIGNED: dict[int, int] = {}
_NO_FRAMEWORK = _Framework.of([])


def assemble(
    bases: list[BaseRow],
    ids,
    domains: dict[int, list[DomainInfo]],
    *,
    today: date,
    thresholds: ReportThresholds,
    summarised: bool = False,
) -> list[TraineeProgress]:
    """Rows for `bases`, whose enrolment ids `ids` selects (a subquery or a list). Runs
    once per trainee of a whole-region export: kept lean. `summarised`: read what the
    progress summaries keep from there (`read_facts`)."""
    if not bases:
        return []
    facts = read_facts(ids, today=today, thresholds=thresholds, summarised=summarised)
    batch = _Batch(
        facts,
        {framework_id: _Framework.of(infos) for framework_id, infos in domains.items()},
        protected_learning_days(),
        today,
        thresholds,
    )
    return [_row(base, batch) for base in bases]


def last_activity_on(
    enrolment_id: int, started_on: date, facts: ProgressFacts | ActivityFacts
) -> date:
    """The latest day of an evidence change, review or sign-off, or the start day (as the
    progress summary keeps it, when the facts were read from there)."""
    kept = facts.last_activity.get(enrolment_id)
    if kept is not None:
        return kept
    changed = facts.evidence.get(enrolment_id, (0, None, None))[2]
    moments = (changed, facts.reviews.get(enrolment_id), facts.latest_sign_off.get(enrolment_id))
    latest = max((m for m in moments if m is not None), default=None)
    if latest is not None and latest.date() > started_on:
        return latest.date()
    return started_on


def _row(base: BaseRow, batch: _Batch) -> TraineeProgress:
    # long: one keyword per field of TraineeProgress, in its order: a table to read down
    enrolment_id, trainee_id = base.enrolment_id, base.trainee_id
    facts, today = batch.facts, batch.today
    framework = batch.frameworks.get(base.framework_id, _NO_FRAMEWORK)
    counts, signed_off = framework.counts(facts.signed.get(enrolment_id, _NOTHING_SIGNED))
    awaiting, oldest, _ = facts.evidence.get(enrolment_id, (0, None, None))
    last_activity = last_activity_on(enrolment_id, base.started_on, facts)
    sessions, last_session = facts.supervision.get(enrolment_id, (0, None))
    registration = status_of(trainee_id, facts.registrations.get(trainee_id), today)
    level3_status, level3_verified, level3_flagged = facts.qualifications.get(
        trainee_id, (None, False, False)
    )
    done = percent(signed_off, framework.total)
    pauses = facts.pauses.get(enrolment_id, ())
    days_paused = paused_days(pauses, today)
    expected = expected_percent(base.started_on, base.expected_end_on, today, days_paused)
    flag_facts = FlagFacts(
        started_on=base.started_on,
        last_activity_on=last_activity,
        oldest_waiting_since=oldest,
        percent=done,
        expected_percent=expected,
        total=framework.total,
        registration_flag=registration.flag,
        supervision_sessions=sessions,
        level3_to_verify=level3_flagged,
        paused=base.status == "paused",
    )
    current = registration.registration
    position = registration.position
    stage = facts.stages.get(enrolment_id)
    return TraineeProgress(
        enrolment_id=enrolment_id,
        trainee_id=trainee_id,
        name=base.name,
        email=base.email,
        gphc_number=current.number if current else None,
        organisation_id=base.organisation_id,
        organisation=base.organisation,
        cohort_id=base.cohort_id,
        cohort=base.cohort,
        framework_id=base.framework_id,
        clinical_supervisor_id=base.clinical_supervisor_id,
        clinical_supervisor=base.clinical_supervisor,
        education_supervisor_id=base.education_supervisor_id,
        education_supervisor=base.education_supervisor,
        domains=counts,
        signed_off=signed_off,
        total=framework.total,
        percent=done,
        expected_percent=expected,
        awaiting_review=awaiting,
        oldest_waiting_since=oldest,
        last_activity_on=last_activity,
        registration_status=current.status if current else None,
        registration_flag=registration.flag,
        registration_label=registration.label,
        registration_expires_on=current.expires_on if current else None,
        renewal_deadline=position.renewal_deadline if position else None,
        registration_verified=registration.verified,
        level3_status=level3_status,
        level3_verified=level3_verified,
        supervision_sessions=sessions,
        last_supervision_on=last_session,
        pathway_status=base.pathway_status,
        wte=base.wte,
        funding=base.funding,
        afc_band=base.afc_band,
        protected_learning_days_used=Decimal(base.protected_learning_days_used or 0),
        protected_learning_days_planned=base.protected_learning_days_planned,
        protected_learning_days_allowed=batch.allowance,
        started_on=base.started_on,
        expected_end_on=base.expected_end_on,
        flags=flags_for(flag_facts, batch.thresholds, today),
        pathway_stage=stage.stage if stage else None,
        pathway_stage_since=stage.started_on if stage else None,
        overdue_objectives=facts.overdue_objectives.get(enrolment_id, 0),
        status=base.status,
        paused_days=days_paused,
        pauses=pauses,
        adjusted_end_on=adjusted_end(base.expected_end_on, days_paused),
    )
