"""The progress report's facts, each read in one aggregate query (a GROUP BY over every
enrolment given, never one query per trainee): each framework's domains and sizes, and per
enrolment its sign-offs, evidence, reviews, supervision, registration, Level 3, stage and
overdue objectives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, case, func, select, text

from app.extensions import db
from app.models.enrolments import Enrolment, EnrolmentPause
from app.models.evidence import Evidence
from app.models.frameworks import Competency, Domain
from app.models.progress import ProgressSummary
from app.models.registration import Qualification, Registration
from app.models.reviews import Review
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.supervision import SupervisionSession
from app.services.development import objectives as development_objectives
from app.services.development import stages as development_stages
from app.services.registration.records import ShownRegistration
from app.services.registration.rules import flagged_until_verified
from app.services.reporting.flags import ReportThresholds, supervision_window_start
from app.services.reporting.progress_rows import DomainColumn
from app.services.supervision.pauses import PauseSpan


def batched_reads() -> None:
    """Set the transaction up for an export's batched reads. On PostgreSQL, no JIT
    compilation: a batch's aggregate is estimated dear enough to be compiled, which took
    longer (1 to 3 s a statement, measured at 5,000 trainees) than running it does."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


@dataclass(frozen=True)
class DomainInfo:
    id: int
    code: str
    title: str
    total: int


def framework_domains(framework_ids: Iterable[int] | Select) -> dict[int, list[DomainInfo]]:
    """Each framework's domains in order, with their competency counts (one query)."""
    rows = db.session.execute(
        select(Domain.id, Domain.framework_id, Domain.code, Domain.title, func.count(Competency.id))
        .outerjoin(Competency, Competency.domain_id == Domain.id)
        .where(Domain.framework_id.in_(framework_ids))
        .group_by(Domain.id, Domain.framework_id, Domain.code, Domain.title, Domain.position)
        .order_by(Domain.framework_id, Domain.position)
    )
    found: dict[int, list[DomainInfo]] = defaultdict(list)
    for domain_id, framework_id, code, title, total in rows:
        found[framework_id].append(DomainInfo(domain_id, code, title, total))
    return found


def domain_columns(domains: dict[int, list[DomainInfo]]) -> list[DomainColumn]:
    """One column per domain code; versions of a framework share codes, the newest names."""
    columns: dict[str, DomainColumn] = {}
    for framework_id in sorted(domains, reverse=True):
        for info in domains[framework_id]:
            columns.setdefault(info.code, DomainColumn(info.code, info.title))
    return list(columns.values())


@dataclass(frozen=True, slots=True)
class ProgressFacts:
    """Every fact the rows of some enrolments need: by enrolment id, or by trainee id for
    the registration and Level 3; an absent key means nothing recorded."""

    signed: dict[int, dict[int, int]]  # standing proficient sign-offs by domain id
    latest_sign_off: dict[int, datetime]
    evidence: dict[int, tuple[int, datetime | None, datetime | None]]
    reviews: dict[int, datetime]
    supervision: dict[int, tuple[int, date | None]]
    registrations: dict[int, ShownRegistration]
    qualifications: dict[int, tuple[str, bool, bool]]  # status, verified, flagged
    stages: dict[int, development_stages.CurrentStage]
    overdue_objectives: dict[int, int]
    pauses: dict[int, tuple[PauseSpan, ...]]  # oldest first
    # The last activity as the progress summary keeps it (empty: worked out from
    # `evidence`, `reviews` and `latest_sign_off`, as the summary itself is).
    last_activity: dict[int, date] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActivityFacts:
    """What a change to evidence alone can move: the review backlog and the last activity's
    inputs, by enrolment id (the fields of `ProgressFacts` of the same names)."""

    evidence: dict[int, tuple[int, datetime | None, datetime | None]]
    reviews: dict[int, datetime]
    latest_sign_off: dict[int, datetime]
    last_activity: dict[int, date] = field(default_factory=dict)


def activity_facts(ids) -> ActivityFacts:
    """The activity facts of the enrolments `ids` selects (three queries)."""
    _, latest_sign_off = _sign_offs(ids)
    return ActivityFacts(_evidence(ids), _reviews(ids), latest_sign_off)


def read_facts(
    ids,
    *,
    today: date,
    thresholds: ReportThresholds,
    summarised: bool = False,
    development: bool = True,
) -> ProgressFacts:
    """The facts of the enrolments `ids` selects (a subquery or a list), a query each.

    `summarised` reads the review backlog, the last activity and the last supervision
    session from the progress summaries (one indexed read) instead of adding up every
    evidence item and review: what a report reads; the summary's own computation adds
    them up. Without `development`, the stages and overdue objectives (which the summary
    does not keep) are left unread, as empty."""
    trainee_ids = select(Enrolment.trainee_id).where(Enrolment.id.in_(ids))
    signed, latest_sign_off = _standing_by_domain(ids) if summarised else _sign_offs(ids)
    since = supervision_window_start(today, thresholds)
    if summarised:
        evidence, last_activity, supervision = _summarised(ids, since)
        reviews: dict[int, datetime] = {}
    else:
        evidence, reviews, last_activity = _evidence(ids), _reviews(ids), {}
        supervision = _supervision(ids, since)
    return ProgressFacts(
        signed=signed,
        latest_sign_off=latest_sign_off,
        evidence=evidence,
        reviews=reviews,
        supervision=supervision,
        registrations=_registrations(trainee_ids),
        qualifications=_qualifications(trainee_ids),
        stages=development_stages.current_stages(ids) if development else {},
        overdue_objectives=(
            development_objectives.overdue_counts(ids, today) if development else {}
        ),
        pauses=_pauses(ids),
        last_activity=last_activity,
    )


def _summarised(
    ids, since: date
) -> tuple[dict, dict[int, date], dict[int, tuple[int, date | None]]]:
    """From the progress summaries: each enrolment's backlog (awaiting review, the oldest
    wait), its last activity and, with the sessions since `since` counted from the
    records, its supervision (one query)."""
    recent = (
        select(func.count(SupervisionSession.id))
        .where(
            SupervisionSession.enrolment_id == ProgressSummary.enrolment_id,
            SupervisionSession.by_clinical_supervisor.is_(True),
            SupervisionSession.held_on >= since,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            ProgressSummary.enrolment_id,
            ProgressSummary.awaiting_review,
            ProgressSummary.oldest_waiting_since,
            ProgressSummary.last_activity_on,
            ProgressSummary.last_supervision_on,
            # Only sessions since the window's start can count: none before the last.
            case((ProgressSummary.last_supervision_on >= since, recent), else_=0),
        ).where(ProgressSummary.enrolment_id.in_(ids))
    )
    evidence, last_activity, supervision = {}, {}, {}
    for enrolment_id, awaiting, oldest, activity, last_session, sessions in rows:
        evidence[enrolment_id] = (awaiting, oldest, None)
        last_activity[enrolment_id] = activity
        supervision[enrolment_id] = (sessions, last_session)
    return evidence, last_activity, supervision


def _sign_offs(ids) -> tuple[dict[int, dict[int, int]], dict[int, datetime]]:
    """Standing proficient sign-offs per enrolment and domain, and each enrolment's latest
    sign-off of any kind (one query). A competency has one standing sign-off at most (the
    service refuses another until it is revoked), so a plain count is exact."""
    standing = and_(SignOff.proficient.is_(True), SignOffRevocation.id.is_(None))
    rows = db.session.execute(
        select(
            SignOff.enrolment_id,
            Competency.domain_id,
            func.sum(case((standing, 1), else_=0)),
            func.max(SignOff.signed_at),
        )
        .join(Competency, Competency.id == SignOff.competency_id)
        .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(SignOff.enrolment_id.in_(ids))
        .group_by(SignOff.enrolment_id, Competency.domain_id)
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    latest: dict[int, datetime] = {}
    for enrolment_id, domain_id, count, signed_at in rows:
        counts[enrolment_id][domain_id] = count
        if enrolment_id not in latest or signed_at > latest[enrolment_id]:
            latest[enrolment_id] = signed_at
    return counts, latest


def _standing_by_domain(ids) -> tuple[dict[int, dict[int, int]], dict[int, datetime]]:
    """`_sign_offs` when the last activity comes from the summaries: only the standing
    proficient sign-offs are read and counted (one query)."""
    rows = db.session.execute(
        select(SignOff.enrolment_id, Competency.domain_id, func.count(SignOff.id))
        .join(Competency, Competency.id == SignOff.competency_id)
        .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(
            SignOff.enrolment_id.in_(ids),
            SignOff.proficient.is_(True),
            SignOffRevocation.id.is_(None),
        )
        .group_by(SignOff.enrolment_id, Competency.domain_id)
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for enrolment_id, domain_id, count in rows:
        counts[enrolment_id][domain_id] = count
    return counts, {}


def _evidence(ids) -> dict[int, tuple[int, datetime | None, datetime | None]]:
    """Per enrolment: submissions awaiting review, the oldest of them, the latest change."""
    submitted = Evidence.status == "submitted"
    rows = db.session.execute(
        select(
            Evidence.enrolment_id,
            func.sum(case((submitted, 1), else_=0)),
            func.min(case((submitted, Evidence.submitted_at))),
            func.max(Evidence.updated_at),
        )
        .where(Evidence.enrolment_id.in_(ids))
        .group_by(Evidence.enrolment_id)
    )
    return {e: (int(n or 0), oldest, latest) for e, n, oldest, latest in rows}


def _reviews(ids) -> dict[int, datetime]:
    rows = db.session.execute(
        select(Evidence.enrolment_id, func.max(Review.created_at))
        .join(Review, Review.evidence_id == Evidence.id)
        .where(Evidence.enrolment_id.in_(ids))
        .group_by(Evidence.enrolment_id)
    )
    return dict(rows.all())


def _supervision(ids, since: date) -> dict[int, tuple[int, date | None]]:
    rows = db.session.execute(
        select(
            SupervisionSession.enrolment_id,
            func.sum(case((SupervisionSession.held_on >= since, 1), else_=0)),
            func.max(SupervisionSession.held_on),
        )
        # Only sessions with the clinical supervisor count towards the monthly rule.
        .where(
            SupervisionSession.enrolment_id.in_(ids),
            SupervisionSession.by_clinical_supervisor.is_(True),
        )
        .group_by(SupervisionSession.enrolment_id)
    )
    return {e: (int(n or 0), last) for e, n, last in rows}


def _pauses(ids) -> dict[int, tuple[PauseSpan, ...]]:
    """Each enrolment's pauses, oldest first (one query; most enrolments have none)."""
    rows = db.session.execute(
        select(EnrolmentPause.enrolment_id, EnrolmentPause.paused_from, EnrolmentPause.ended_on)
        .where(EnrolmentPause.enrolment_id.in_(ids))
        .order_by(EnrolmentPause.enrolment_id, EnrolmentPause.paused_from, EnrolmentPause.id)
    )
    found: dict[int, list[PauseSpan]] = defaultdict(list)
    for enrolment_id, paused_from, ended_on in rows:
        found[enrolment_id].append(PauseSpan(paused_from, ended_on))
    return {enrolment_id: tuple(spans) for enrolment_id, spans in found.items()}


REGISTRATION_SHOWN = tuple(getattr(Registration, name) for name in ShownRegistration._fields)


def _registrations(trainee_ids) -> dict[int, ShownRegistration]:
    """Each trainee's current (newest) registration (one query)."""
    latest = (
        select(func.max(Registration.id))
        .where(Registration.user_id.in_(trainee_ids))
        .group_by(Registration.user_id)
    )
    rows = db.session.execute(select(*REGISTRATION_SHOWN).where(Registration.id.in_(latest)))
    return {row[0]: ShownRegistration._make(row) for row in rows}


def _qualifications(trainee_ids) -> dict[int, tuple[str, bool, bool]]:
    """Each trainee's Level 3 status, whether it is verified, and whether leads see it
    flagged until it is (one query)."""
    rows = db.session.execute(
        select(
            Qualification.user_id,
            Qualification.status,
            Qualification.verified_by_id,
            Qualification.kind,
        ).where(Qualification.user_id.in_(trainee_ids))
    )
    return {
        user_id: (status, verified is not None, flagged_until_verified(kind, verified is not None))
        for user_id, status, verified, kind in rows
    }
