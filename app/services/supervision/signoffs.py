"""Signing off a competency, and withdrawing a sign-off: professional declarations.

A sign-off is allowed when:
- the signer is the enrolment's clinical supervisor, holds the supervisor role, re-entered
  their password within the last few minutes, and their own pharmacist registration is
  registered, verified by someone else and unexpired that day (`signing`);
- the enrolment is active, and no earlier sign-off of the competency still stands;
- the competency is ready (its sufficiency rule is met by accepted evidence), or the
  signer writes why they sign off regardless (an override, shown with the sign-off).
What it records is fixed at that moment: the signer's name, number and registration as
it stood, the UTC time, the declaration's words, the accepted evidence versions and their
content digests, and the sha256 of the whole record (`signoff_digests`). Revoking is a
new record with a reason; the sign-off row itself never changes (database triggers refuse
UPDATE and DELETE).

Sign-offs, revocations and completions of one enrolment lock its row first, so they
happen one at a time; unique constraints catch anything that slips past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import Competency, EvidenceType, ScaleValue
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.frameworks.labels import framework_label
from app.services.notifications import messages as notifications
from app.services.portfolio import sufficiency
from app.services.registration.signers import registration_snapshot
from app.services.supervision.access import in_framework
from app.services.supervision.signing import check_fresh, lock_enrolment, signer_registration
from app.services.supervision.signoff_digests import revocation_digest, sign_off_digest

TEXT_MAX = 5000


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field)
    if len(text) > TEXT_MAX:
        raise DomainError(f"Write {TEXT_MAX:,} characters or fewer", field)
    return text


# --- Signing off -----------------------------------------------------------------------


def declaration(
    trainee_name: str, competency: Competency, outcome: ScaleValue, label: str | None = None
) -> str:
    """The words the signer puts their name to, naming the framework as `framework_label`
    does (the competency's own, unless its `label` is given)."""
    what = f"{competency.code} {competency.title}"
    source = f" The competency is from the {label or framework_label(competency.framework)}."
    if outcome.proficient:
        return (
            f"I confirm that {trainee_name} is competent in {what}. I have assessed their "
            f"practice and the evidence listed, and my judgement is: {outcome.label}.{source}"
        )
    return (
        f"I confirm that I have assessed {trainee_name} in {what} and that they are not yet "
        f"proficient in it. My judgement is: {outcome.label}.{source}"
    )


def scale_for(framework_id: int) -> list[ScaleValue]:
    """The outcomes a signer chooses from, in the framework's order."""
    return list(
        db.session.scalars(
            select(ScaleValue)
            .where(ScaleValue.framework_id == framework_id)
            .order_by(ScaleValue.position)
        )
    )


def accepted_evidence_versions(enrolment_id: int, competency_id: int) -> list[dict]:
    """The accepted versions that link the competency: what the rule counts, and so what
    a sign-off records it relied on (the accepted one, even while a revision is pending)."""
    rows = db.session.execute(
        select(
            Evidence.id, EvidenceVersion.id, EvidenceVersion.number, EvidenceVersion.content_sha256
        )
        .join(
            EvidenceVersion,
            (EvidenceVersion.evidence_id == Evidence.id)
            & (EvidenceVersion.number == Evidence.accepted_version_number),
        )
        .join(EvidenceLink, EvidenceLink.evidence_version_id == EvidenceVersion.id)
        .where(
            Evidence.enrolment_id == enrolment_id,
            EvidenceLink.competency_id == competency_id,
        )
        .order_by(Evidence.id)
    )
    return [
        {"evidence_id": e, "version_id": v, "version": n, "content_sha256": sha}
        for e, v, n, sha in rows
    ]


def competency_progress(enrolment: Enrolment, competency_id: int) -> sufficiency.CompetencyProgress:
    progress = sufficiency.progress_for(enrolment, count_drafts=False)
    return next(p for p in progress if p.competency_id == competency_id)


def sign_off(
    enrolment: Enrolment,
    competency: Competency,
    *,
    signer: User,
    outcome_code: str,
    comment: str,
    override_justification: str | None = None,
    authenticated_at: datetime | None,
    now: datetime | None = None,
) -> SignOff:
    """Sign off one competency of the enrolment; see the module docstring for the rules."""
    now = now or utcnow()
    check_fresh(authenticated_at, now)
    if not in_framework(competency, enrolment):
        raise NotFound("Competency not found")
    outcome = _scale_value(enrolment.framework_id, outcome_code)
    comment = _required_text(comment, "comment", "Write a comment on the trainee's competence")
    justification = (override_justification or "").strip()
    enrolment = lock_enrolment(enrolment.id)
    registration = signer_registration(enrolment, signer, uk_today(now))
    sequence = _next_sequence(enrolment.id, competency)
    missing = _unmet_rule(enrolment, competency, justification)
    trainee_name = enrolment.trainee.name
    record = SignOff(
        enrolment_id=enrolment.id,
        competency_id=competency.id,
        sequence=sequence,
        competency_code=competency.code,
        outcome_code=outcome.code,
        outcome_label=outcome.label,
        proficient=outcome.proficient,
        comment=comment,
        # An override is recorded only when a rule was unmet; otherwise there is nothing to justify.
        override_justification=justification if missing else None,
        unmet_rule=list(missing),
        signer_id=signer.id,
        signer_name=signer.name,
        signer_gphc_number=registration.number,
        signer_registration=registration_snapshot(registration),
        trainee_name=trainee_name,
        statement=declaration(trainee_name, competency, outcome),
        evidence_versions=accepted_evidence_versions(enrolment.id, competency.id),
        signed_at=now,
    )
    record.record_sha256 = sign_off_digest(record)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(f"{competency.code} has just been signed off by someone else") from None
    _announce_sign_off(record, enrolment, competency, outcome, signer)
    return record


def _scale_value(framework_id: int, code: str) -> ScaleValue:
    """The outcome chosen, from the framework's own scale; else refuse."""
    outcome = db.session.scalar(
        select(ScaleValue).where(ScaleValue.framework_id == framework_id, ScaleValue.code == code)
    )
    if outcome is None:
        raise DomainError("Choose an outcome from the framework's scale", "outcome")
    return outcome


def _next_sequence(enrolment_id: int, competency: Competency) -> int:
    """The number of a new sign-off of the competency; refused while an earlier one stands."""
    earlier = db.session.scalars(
        select(SignOff)
        .where(SignOff.enrolment_id == enrolment_id, SignOff.competency_id == competency.id)
        .options(selectinload(SignOff.revocation))
    ).all()
    if any(s.revocation is None for s in earlier):
        raise DomainError(
            f"{competency.code} is already signed off: revoke that sign-off first to sign again"
        )
    return len(earlier) + 1


def _unmet_rule(enrolment: Enrolment, competency: Competency, justification: str) -> list[str]:
    """What the competency's rule still misses; refused unless the signer justifies it."""
    missing = competency_progress(enrolment, competency.id).missing
    if missing and not justification:
        raise DomainError(
            f"{competency.code} is not ready for sign-off ({'; '.join(missing)}). "
            "To sign it off anyway, explain why in the justification",
            "override_justification",
        )
    if len(justification) > TEXT_MAX:
        raise DomainError(f"Write {TEXT_MAX:,} characters or fewer", "override_justification")
    return missing


def _announce_sign_off(
    record: SignOff, enrolment: Enrolment, competency: Competency, outcome: ScaleValue, signer: User
) -> None:
    """Audit the sign-off and tell the trainee."""
    audit.record(
        "competency.signed_off",
        "sign_off",
        record.id,
        actor=signer,
        data={
            "enrolment_id": enrolment.id,
            "competency_id": competency.id,
            "sequence": record.sequence,
            "outcome": outcome.code,
            "proficient": outcome.proficient,
            "override": record.override_justification is not None,
            "evidence_version_ids": [v["version_id"] for v in record.evidence_versions],
            "record_sha256": record.record_sha256,
        },
    )
    notifications.notify(
        enrolment.trainee,
        "signed_off",
        f"{signer.name} signed off {competency.code} {competency.title}: {outcome.label}.",
        notifications.path_for("supervisor.sign_off_detail", sign_off_id=record.id),
        email_subject="A competency was signed off",
        email_body="Your clinical supervisor has signed off one of your competencies.",
    )


def revoke(
    record: SignOff,
    *,
    actor: User,
    reason: str,
    authenticated_at: datetime | None,
    now: datetime | None = None,
) -> SignOffRevocation:
    """Withdraw a sign-off, with a reason; the competency goes back to its evidence status."""
    now = now or utcnow()
    check_fresh(authenticated_at, now)
    reason = _required_text(reason, "reason", "Say why you are revoking this sign-off")
    enrolment = lock_enrolment(record.enrolment_id)
    registration = signer_registration(enrolment, actor, uk_today(now))
    already = db.session.scalar(
        select(SignOffRevocation.id).where(SignOffRevocation.sign_off_id == record.id)
    )
    if already is not None:
        raise DomainError("This sign-off has already been revoked")
    revocation = SignOffRevocation(
        sign_off_id=record.id,
        revoked_by_id=actor.id,
        revoked_by_name=actor.name,
        revoker_registration=registration_snapshot(registration),
        reason=reason,
        revoked_at=now,
    )
    revocation.record_sha256 = revocation_digest(revocation, record.record_sha256)
    db.session.add(revocation)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError("This sign-off has just been revoked by someone else") from None
    audit.record(
        "competency.sign_off_revoked",
        "sign_off_revocation",
        revocation.id,
        actor=actor,
        data={
            "sign_off_id": record.id,
            "enrolment_id": enrolment.id,
            "competency_id": record.competency_id,
            "record_sha256": revocation.record_sha256,
        },
    )
    notifications.notify(
        enrolment.trainee,
        "sign_off_revoked",
        f"{actor.name} revoked the sign-off of {record.competency_code}.",
        notifications.path_for("supervisor.sign_off_detail", sign_off_id=record.id),
        email_subject="A sign-off was revoked",
        email_body="Your clinical supervisor has revoked the sign-off of one of your competencies.",
    )
    db.session.expire(record, ["revocation"])
    return revocation


# --- Reading ------------------------------------------------------------------------------


def signed_off_competency_ids(enrolment_id: int) -> frozenset[int]:
    """Competencies with a standing sign-off at a proficient outcome (for progress_for)."""
    return frozenset(
        db.session.scalars(
            select(SignOff.competency_id)
            .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
            .where(
                SignOff.enrolment_id == enrolment_id,
                SignOff.proficient.is_(True),
                SignOffRevocation.id.is_(None),
            )
        )
    )


def sign_offs_for(enrolment_id: int) -> list[SignOff]:
    """Every sign-off of the enrolment, revoked ones too, oldest first (2 queries)."""
    return list(
        db.session.scalars(
            select(SignOff)
            .where(SignOff.enrolment_id == enrolment_id)
            .options(selectinload(SignOff.revocation))
            .order_by(SignOff.signed_at, SignOff.id)
        )
    )


@dataclass(frozen=True)
class ReliedOn:
    evidence_id: int
    title: str
    type_label: str
    version: int
    content_sha256: str


def relied_on(evidence_versions: list[dict]) -> list[ReliedOn]:
    """The recorded evidence versions with their titles, for reading (one query). Each is
    the title of the version recorded, never of a later revision the trainee may still be
    drafting."""
    ids = [v["version_id"] for v in evidence_versions]
    found = {
        version_id: (title, label)
        for version_id, title, label in db.session.execute(
            select(EvidenceVersion.id, EvidenceVersion.title, EvidenceType.label)
            .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
            .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
            .where(EvidenceVersion.id.in_(ids))
        )
    }
    return [
        ReliedOn(
            v["evidence_id"],
            *found.get(v["version_id"], ("(no longer available)", "")),
            v["version"],
            v["content_sha256"],
        )
        for v in evidence_versions
    ]


def standing_by_competency(sign_offs: list[SignOff]) -> dict[int, SignOff]:
    return {s.competency_id: s for s in sign_offs if s.revocation is None}


def proficient_competency_ids(standing: dict[int, SignOff]) -> frozenset[int]:
    """Competencies whose standing sign-off is at a proficient outcome: the signed-off ones."""
    return frozenset(c for c, s in standing.items() if s.proficient)
