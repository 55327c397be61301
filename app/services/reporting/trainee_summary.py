"""One enrolment's portfolio in brief: progress per competency with the evidence titles
and sign-offs behind it, registration, Level 3 and programme status.

A lead's summary page, the portfolio PDF and the trainee's portable record read it from
here. Drafts are private to the trainee, so they neither appear nor count here; the
portable record's JSON carries them separately for the trainee's own copy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, select

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import EvidenceType
from app.models.registration import Qualification
from app.models.signoffs import Completion, SignOff
from app.models.supervision import SupervisionSession
from app.services.development.stages import CurrentStage, current_stages
from app.services.portfolio import sufficiency
from app.services.registration.qualifications import qualification_for
from app.services.registration.records import RegistrationStatus, registration_status
from app.services.reporting.flags import percent
from app.services.supervision import signoffs
from app.services.supervision.completion import completion_for


@dataclass(frozen=True)
class EvidenceTitle:
    evidence_id: int
    title: str
    type_label: str
    status: str
    occurred_on: date
    # The assessor completed the assessor's part themselves (issue 16).
    assessor_completed: bool = False


@dataclass(frozen=True)
class CompetencyStanding:
    """Each competency's progress on one enrolment, with its sign-offs; what the lead's
    summary and the API's trainee detail count as done."""

    progress: list[sufficiency.CompetencyProgress]
    sign_offs: list[SignOff]  # every one, revoked too, oldest first
    standing: dict[int, SignOff]  # competency id -> the sign-off that stands

    @property
    def total(self) -> int:
        return len(self.progress)

    @property
    def signed_off(self) -> int:
        return sum(1 for c in self.progress if c.status == "signed_off")

    @property
    def percent(self) -> int:
        return percent(self.signed_off, self.total)


def competency_standing(enrolment: Enrolment, *, count_drafts: bool) -> CompetencyStanding:
    """Progress counting proficient sign-offs that stand (`count_drafts`: the trainee's
    own view, where their drafts show as in progress)."""
    records = signoffs.sign_offs_for(enrolment.id)
    standing = signoffs.standing_by_competency(records)
    signed = signoffs.proficient_competency_ids(standing)
    progress = sufficiency.progress_for(enrolment, signed, count_drafts=count_drafts)
    return CompetencyStanding(progress, records, standing)


@dataclass(frozen=True)
class TraineeSummary:
    enrolment: Enrolment
    domains: list[sufficiency.DomainProgress]
    evidence: dict[int, list[EvidenceTitle]]  # competency id -> shared items linking it
    sign_offs: list[SignOff]  # every one, revoked too, oldest first
    standing: dict[int, SignOff]  # competency id -> the sign-off that stands
    registration: RegistrationStatus
    qualification: Qualification | None
    completion: Completion | None
    supervision_sessions: int  # held by the clinical supervisor: what the monthly rule counts
    last_supervision_on: date | None
    other_sessions: int = 0  # held by someone else: logged, not counted
    stage: CurrentStage | None = None  # the pathway stage reached, when one is recorded

    @property
    def stage_words(self) -> str:
        return self.stage.words if self.stage else "Not recorded"

    @property
    def total(self) -> int:
        return sum(d.total for d in self.domains)

    @property
    def signed_off(self) -> int:
        return sum(d.count("signed_off") for d in self.domains)

    @property
    def percent(self) -> int:
        return percent(self.signed_off, self.total)


def shared_evidence_by_competency(enrolment_id: int) -> dict[int, list[EvidenceTitle]]:
    """Shared items (never drafts) whose shared version links each competency, as that
    version has them: a revision in progress is the trainee's alone (1 query)."""
    rows = db.session.execute(
        select(
            EvidenceLink.competency_id,
            Evidence.id,
            EvidenceVersion.title,
            EvidenceType.label,
            Evidence.shared_status,
            EvidenceVersion.occurred_on,
            exists()
            .where(AssessmentRequest.evidence_id == Evidence.id)
            .where(AssessmentRequest.completed_at.is_not(None))
            .where(AssessmentRequest.version_number <= EvidenceVersion.number),
        )
        .join(
            EvidenceVersion,
            and_(
                EvidenceVersion.evidence_id == Evidence.id,
                EvidenceVersion.number == Evidence.shared_version_number,
            ),
        )
        .join(EvidenceLink, EvidenceLink.evidence_version_id == EvidenceVersion.id)
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(Evidence.enrolment_id == enrolment_id)
        .order_by(EvidenceVersion.occurred_on, Evidence.id)
    )
    found: dict[int, list[EvidenceTitle]] = defaultdict(list)
    for competency_id, *item in rows:
        found[competency_id].append(EvidenceTitle(*item))
    return found


def trainee_summary(enrolment: Enrolment, today: date) -> TraineeSummary:
    """Everything the summary shows, in a fixed number of queries."""
    competencies = competency_standing(enrolment, count_drafts=False)
    clinical = SupervisionSession.by_clinical_supervisor.is_(True)
    sessions, last, others = db.session.execute(
        select(
            func.sum(case((clinical, 1), else_=0)),
            func.max(case((clinical, SupervisionSession.held_on))),
            func.sum(case((clinical, 0), else_=1)),
        ).where(SupervisionSession.enrolment_id == enrolment.id)
    ).one()
    return TraineeSummary(
        enrolment=enrolment,
        domains=sufficiency.by_domain(competencies.progress),
        evidence=shared_evidence_by_competency(enrolment.id),
        sign_offs=competencies.sign_offs,
        standing=competencies.standing,
        registration=registration_status(enrolment.trainee_id, today),
        qualification=qualification_for(enrolment.trainee_id),
        completion=completion_for(enrolment.id),
        supervision_sessions=int(sessions or 0),
        last_supervision_on=last,
        other_sessions=int(others or 0),
        stage=current_stages([enrolment.id]).get(enrolment.id),
    )
