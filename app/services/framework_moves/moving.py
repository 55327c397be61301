"""Moving trainees from one framework version to the version that follows it.

A lead or administrator moves one trainee, a cohort, or every trainee of a version. For
each current (active or paused) enrolment on the old version, in one transaction:
- the enrolment's row is locked first, so two people moving the same trainee at once
  cannot both do it: the second finds the trainee already moved and does nothing;
- evidence links follow the crosswalk: every evidence version linked to an old
  competency is also linked to each new competency that replaces, merges or splits
  from it (the old links stay, so the old version's record reads as before);
- a sign-off carries over only through `replaces`: a new sign-off record against the
  new competency points at the original (`SignOffCarryOver`), which stays untouched and
  signed against its version; merged and split competencies need a new sign-off;
- the enrolment then points at the new version, a `FrameworkMove` records the gap
  analysis with its digest, and the audit chain records the move.
Nothing is deleted. A trainee with a final sign-off (completion) is refused. Running the
same move again moves nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.crosswalk import FrameworkMove, SignOffCarryOver
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.evidence import EvidenceLink
from app.models.frameworks import Competency, Framework
from app.models.organisations import Cohort
from app.models.signoffs import Completion, SignOff
from app.models.users import User
from app.services.accounts.organisations import subtree
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.errors import DomainError
from app.services.framework_moves.plan import MovePlan, load_crosswalk, plan_move
from app.services.frameworks.crosswalk import follows_of
from app.services.notifications import messages as notifications
from app.services.supervision.signing import lock_enrolment
from app.services.supervision.signoff_digests import sign_off_digest

MOVED, WOULD_MOVE, ALREADY, REFUSED = "moved", "would move", "already moved", "refused"


@dataclass
class TraineeMove:
    enrolment_id: int
    name: str
    email: str
    outcome: str  # MOVED, WOULD_MOVE, ALREADY or REFUSED
    reason: str = ""
    plan: MovePlan | None = None


@dataclass
class MoveReport:
    source: Framework
    target: Framework
    dry_run: bool
    trainees: list[TraineeMove] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for t in self.trainees if t.outcome == outcome)


def parse_version_ref(ref: str, option: str) -> tuple[str, str]:
    code, at, version = (ref or "").strip().partition("@")
    if not at or not code or not version:
        raise DomainError(f"{option} must name a framework version as ID@VERSION, e.g. ncf-pcpt@3")
    return code, version


def versions_for_move(source_ref: str, target_ref: str) -> tuple[Framework, Framework]:
    """The two imported versions, the target following the source; else refuse."""
    found = []
    for ref, option in ((source_ref, "--from"), (target_ref, "--to")):
        code, version = parse_version_ref(ref, option)
        framework = db.session.scalar(
            select(Framework).where(Framework.code == code, Framework.version == version)
        )
        if framework is None:
            raise DomainError(f"{code} version {version} is not imported")
        found.append(framework)
    source, target = found
    follows = follows_of(target.id)
    if follows is None or follows.id != source.id:
        named = f"follows version {follows.version}" if follows else "names no version it follows"
        raise DomainError(
            f"{target.code} version {target.version} {named}: trainees move only from the "
            "version a new one follows"
        )
    return source, target


def move_trainees(
    source: Framework,
    target: Framework,
    *,
    actor: User | None,
    cohort_name: str | None = None,
    trainee_email: str | None = None,
    organisation_root_id: int | None = None,
    cohort_id: int | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> MoveReport:
    """Move (or, with `dry_run`, describe moving) the chosen trainees; the caller commits.

    `organisation_root_id` limits the move to trainees in that organisation's subtree
    (a lead's); None means anywhere (an administrator, the command line)."""
    now = now or utcnow()
    enrolments = _chosen(source, target, cohort_name, trainee_email, organisation_root_id)
    if cohort_id is not None:
        enrolments = [e for e in enrolments if e.cohort_id == cohort_id]
    if trainee_email and not enrolments:
        raise DomainError(
            f"{trainee_email} has no current enrolment on {source.code} version "
            f"{source.version} or {target.version}"
        )
    crosswalk = load_crosswalk(source.id, target.id)
    report = MoveReport(source, target, dry_run)
    completed = _completed({e.id for e in enrolments})
    for enrolment in enrolments:
        report.trainees.append(
            _one(
                enrolment, crosswalk, source, target, actor, now, dry_run, enrolment.id in completed
            )
        )
    if trainee_email and report.trainees[0].outcome == REFUSED:
        raise DomainError(f"{trainee_email}: {report.trainees[0].reason}")
    if (cohort_name or cohort_id) and not dry_run:
        _follow_cohort(cohort_name, cohort_id, source, target, organisation_root_id)
    return report


def _chosen(
    source: Framework,
    target: Framework,
    cohort_name: str | None,
    trainee_email: str | None,
    organisation_root_id: int | None,
) -> list[Enrolment]:
    trainee = aliased(User)
    query = (
        select(Enrolment)
        .join(trainee, trainee.id == Enrolment.trainee_id)
        .where(
            Enrolment.framework_id.in_((source.id, target.id)),
            Enrolment.status.in_((*CURRENT_ENROLMENT_STATUSES, "completed")),
        )
        .options(joinedload(Enrolment.trainee))
        .order_by(trainee.name, Enrolment.id)
    )
    if cohort_name:
        cohorts = select(Cohort.id).where(Cohort.name == cohort_name.strip())
        if organisation_root_id is not None:
            cohorts = cohorts.where(Cohort.organisation_id.in_(_tree(organisation_root_id)))
        if not db.session.scalars(cohorts).first():
            raise DomainError(f"there is no cohort named {cohort_name.strip()!r}")
        query = query.where(Enrolment.cohort_id.in_(cohorts))
    if trainee_email:
        query = query.where(func.lower(trainee.email) == trainee_email.strip().lower())
    if organisation_root_id is not None:
        query = query.where(trainee.organisation_id.in_(_tree(organisation_root_id)))
    return list(db.session.scalars(query).unique())


def _tree(root_id: int):
    return select(subtree(root_id, "move_tree").c.id)


def _completed(enrolment_ids: set[int]) -> set[int]:
    if not enrolment_ids:
        return set()
    return set(
        db.session.scalars(
            select(Completion.enrolment_id).where(Completion.enrolment_id.in_(enrolment_ids))
        )
    )


def _one(
    enrolment: Enrolment,
    crosswalk,
    source: Framework,
    target: Framework,
    actor: User | None,
    now: datetime,
    dry_run: bool,
    completed: bool,
) -> TraineeMove:
    result = TraineeMove(enrolment.id, enrolment.trainee.name, enrolment.trainee.email, WOULD_MOVE)
    if completed or enrolment.status == "completed":
        result.outcome = REFUSED
        result.reason = "has a final sign-off: a completed training is not moved"
        return result
    if dry_run:
        if enrolment.framework_id == target.id:
            result.outcome, result.reason = ALREADY, f"already on version {target.version}"
        else:
            result.plan = plan_move(enrolment, crosswalk)
        return result
    locked = lock_enrolment(enrolment.id)
    if locked.framework_id != source.id:
        result.outcome, result.reason = ALREADY, f"already on version {target.version}"
        return result
    result.plan = plan_move(locked, crosswalk)
    _apply(result.plan, source, target, actor, now)
    result.outcome = MOVED
    return result


def _apply(
    plan: MovePlan, source: Framework, target: Framework, actor: User | None, now: datetime
) -> FrameworkMove:
    enrolment = plan.enrolment
    db.session.add_all(
        EvidenceLink(evidence_version_id=version_id, competency_id=competency_id, note="")
        for version_id, competency_id in plan.links
    )
    enrolment.framework_id = target.id
    move = FrameworkMove(
        enrolment_id=enrolment.id,
        from_framework_id=source.id,
        to_framework_id=target.id,
        moved_by_id=actor.id if actor is not None else None,
        moved_at=now,
        changes=plan.changes,
    )
    move.record_sha256 = move_digest(move)
    db.session.add(move)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(f"{enrolment.trainee.name} has just been moved by someone else") from None
    carried = [_carry(original, competency, move) for original, competency in plan.carry]
    audit.record(
        "enrolment.framework_moved",
        "enrolment",
        enrolment.id,
        actor=actor,
        data={
            "move_id": move.id,
            "from": f"{source.code}@{source.version}",
            "to": f"{target.code}@{target.version}",
            "sha256": move.record_sha256,
            "evidence_links": len(plan.links),
            "carried_sign_offs": [s.record_sha256 for s in carried],
        },
    )
    _tell_about_move(enrolment, target, len(plan.changes["re_sign_off"]))
    return move


def _tell_about_move(enrolment: Enrolment, target: Framework, to_sign_again: int) -> None:
    """The trainee and her clinical supervisor hear of the move; neither text names her."""
    link = notifications.path_for("supervisor.gap_analysis_page", enrolment_id=enrolment.id)
    again = (
        f" {to_sign_again} competenc{'y needs' if to_sign_again == 1 else 'ies need'}"
        " a new sign-off."
        if to_sign_again
        else ""
    )
    notifications.notify(
        enrolment.trainee,
        "framework_moved",
        f"Your training moved to version {target.version} of the {target.title}: "
        f"see what changed.{again}",
        link,
        email_subject="Your training moved to a new framework version",
        email_body=f"Your training now follows version {target.version} of the "
        f"{target.title}. Your evidence and sign-offs stay on your record.",
    )
    supervisor = enrolment.clinical_supervisor
    if supervisor is not None:
        notifications.notify(
            supervisor,
            "gap_analysis_waiting",
            f"A trainee you supervise moved to version {target.version} of the "
            f"{target.title}: the gap analysis is waiting for your signature.",
            link,
        )


def move_digest(move: FrameworkMove) -> str:
    return record_digest(
        {
            "enrolment_id": move.enrolment_id,
            "from_framework_id": move.from_framework_id,
            "to_framework_id": move.to_framework_id,
            "moved_by_id": move.moved_by_id,
            "moved_at": move.moved_at.isoformat(timespec="microseconds"),
            "changes": move.changes,
        }
    )


def _carry(original: SignOff, competency: Competency, move: FrameworkMove) -> SignOff:
    """A sign-off record for the new competency that repeats the original's declaration,
    signer and date; the original stays as it was signed."""
    earlier = db.session.scalar(
        select(func.count(SignOff.id)).where(
            SignOff.enrolment_id == original.enrolment_id, SignOff.competency_id == competency.id
        )
    )
    record = SignOff(
        enrolment_id=original.enrolment_id,
        competency_id=competency.id,
        sequence=(earlier or 0) + 1,
        competency_code=competency.code,
        outcome_code=original.outcome_code,
        outcome_label=original.outcome_label,
        proficient=original.proficient,
        comment=original.comment,
        override_justification=original.override_justification,
        unmet_rule=list(original.unmet_rule),
        signer_id=original.signer_id,
        signer_name=original.signer_name,
        signer_gphc_number=original.signer_gphc_number,
        signer_registration=original.signer_registration,
        trainee_name=original.trainee_name,
        statement=original.statement,
        evidence_versions=list(original.evidence_versions),
        signed_at=original.signed_at,
    )
    record.record_sha256 = sign_off_digest(record)
    db.session.add(record)
    db.session.flush()
    db.session.add(
        SignOffCarryOver(sign_off_id=record.id, original_id=original.id, move_id=move.id)
    )
    db.session.flush()
    return record


def _follow_cohort(
    name: str | None,
    cohort_id: int | None,
    source: Framework,
    target: Framework,
    organisation_root_id: int | None,
) -> None:
    """A cohort moved as a whole: new enrolments in it start on the new version."""
    query = select(Cohort).where(Cohort.framework_id == source.id)
    if name:
        query = query.where(Cohort.name == name.strip())
    if cohort_id is not None:
        query = query.where(Cohort.id == cohort_id)
    if organisation_root_id is not None:
        query = query.where(Cohort.organisation_id.in_(_tree(organisation_root_id)))
    for cohort in db.session.scalars(query):
        cohort.framework_id = target.id
