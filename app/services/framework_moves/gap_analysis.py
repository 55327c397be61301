"""The gap analysis of a trainee moved to a new framework version, and its signature.

After a move the trainee's record shows what changed: sign-offs carried over, competencies
that need a new sign-off, competencies that continue unsigned (their evidence follows),
new competencies and ended ones. The clinical supervisor signs that they have reviewed it,
as a professional declaration like a sign-off: password re-entered in the last few
minutes, their own pharmacist registration standing that day (`registration.signers`), the
enrolment's row locked, a record digest, an audit event. Once signed it is never changed
(database triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.crosswalk import FrameworkMove, GapAnalysisSignature, SignOffCarryOver
from app.models.enrolments import Enrolment
from app.models.signoffs import SignOff
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.framework_moves.plan import CATEGORIES, CATEGORY_LABELS
from app.services.registration.signers import registration_snapshot
from app.services.supervision.signing import check_fresh, lock_enrolment, signer_registration

COMMENT_MAX = 5000


@dataclass(frozen=True)
class GapSection:
    key: str
    label: str
    entries: list[dict]


def latest_move(enrolment_id: int) -> FrameworkMove | None:
    """The enrolment's most recent move, with both versions and any signature."""
    return db.session.scalar(
        select(FrameworkMove)
        .where(FrameworkMove.enrolment_id == enrolment_id)
        .options(
            joinedload(FrameworkMove.from_framework),
            joinedload(FrameworkMove.to_framework),
            joinedload(FrameworkMove.signature),
        )
        .order_by(FrameworkMove.moved_at.desc(), FrameworkMove.id.desc())
        .limit(1)
    )


def sections(move: FrameworkMove) -> list[GapSection]:
    """The gap analysis in reading order, empty kinds left out."""
    return [
        GapSection(key, CATEGORY_LABELS[key], move.changes.get(key, []))
        for key in CATEGORIES
        if move.changes.get(key)
    ]


def carried_over_words(record: SignOff) -> str | None:
    """ "Carried over from version N, signed on DATE by NAME" for a carried sign-off."""
    carry = db.session.scalar(
        select(SignOffCarryOver)
        .where(SignOffCarryOver.sign_off_id == record.id)
        .options(joinedload(SignOffCarryOver.original).joinedload(SignOff.competency))
    )
    if carry is None:
        return None
    original = carry.original
    version = original.competency.framework.version
    return (
        f"Carried over from version {version} ({original.competency_code}), signed on "
        f"{original.signed_at:%-d %B %Y} by {original.signer_name}"
    )


def statement(trainee_name: str, move: FrameworkMove) -> str:
    """The words the supervisor signs."""
    counts = {key: len(move.changes.get(key, [])) for key in CATEGORIES}
    source, target = move.from_framework, move.to_framework
    return (
        f"I have reviewed the gap analysis for {trainee_name}, moved from version "
        f"{source.version} to version {target.version} of the {target.title}: "
        f"{_count(counts['carried_over'], 'sign-off')} carried over, "
        f"{_count(counts['re_sign_off'], 'competency', 'competencies')} needing a new "
        f"sign-off, {counts['continued']} continuing with their evidence, {counts['new']} new "
        f"and {counts['ended']} ended. I agree what the trainee still needs to show, and I "
        "will sign off the competencies that need it."
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def signature_digest(record: GapAnalysisSignature) -> str:
    return record_digest(
        {
            "move_id": record.move_id,
            "move_sha256": record.move_sha256,
            "signer_id": record.signer_id,
            "signer_name": record.signer_name,
            "signer_gphc_number": record.signer_gphc_number,
            "signer_registration": record.signer_registration,
            "trainee_name": record.trainee_name,
            "comment": record.comment,
            "statement": record.statement,
            "signed_at": record.signed_at.isoformat(timespec="microseconds"),
        }
    )


def sign_gap_analysis(
    move: FrameworkMove,
    *,
    signer: User,
    comment: str,
    authenticated_at: datetime | None,
    now: datetime | None = None,
) -> GapAnalysisSignature:
    """The clinical supervisor signs the move's gap analysis; see the module docstring."""
    now = now or utcnow()
    check_fresh(authenticated_at, now)
    text = (comment or "").strip()
    if not text:
        raise DomainError("Write what the trainee needs to do to cover the changes", "comment")
    if len(text) > COMMENT_MAX:
        raise DomainError(f"Write {COMMENT_MAX:,} characters or fewer", "comment")
    enrolment: Enrolment = lock_enrolment(move.enrolment_id)
    registration = signer_registration(enrolment, signer, uk_today(now))
    if db.session.scalar(
        select(GapAnalysisSignature.id).where(GapAnalysisSignature.move_id == move.id)
    ):
        raise DomainError("This gap analysis is already signed")
    trainee_name = enrolment.trainee.name
    record = GapAnalysisSignature(
        move_id=move.id,
        signer_id=signer.id,
        signer_name=signer.name,
        signer_gphc_number=registration.number,
        signer_registration=registration_snapshot(registration),
        trainee_name=trainee_name,
        comment=text,
        statement=statement(trainee_name, move),
        move_sha256=move.record_sha256,
        signed_at=now,
    )
    record.record_sha256 = signature_digest(record)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError("This gap analysis has just been signed by someone else") from None
    audit.record(
        "gap_analysis.signed",
        "framework_move",
        move.id,
        actor=signer,
        data={"sha256": record.record_sha256, "move_sha256": move.record_sha256},
    )
    return record
