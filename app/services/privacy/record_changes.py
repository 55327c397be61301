"""The parts of the portable record that came with sign-in and the training's course:
two-factor sign-in and single sign-on links (never a secret or a code), pauses, and
moves to a new framework version with their gap analysis and the sign-offs carried over."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.crosswalk import FrameworkMove, SignOffCarryOver
from app.models.enrolments import Enrolment, EnrolmentPause
from app.models.identities import UserIdentity
from app.models.two_factor import RecoveryCode, TwoFactor
from app.models.users import User
from app.services.frameworks.labels import framework_label


def two_factor_record(person: User) -> dict | None:
    """Whether and since when two-factor sign-in is set up, and when each recovery code
    was made and used; None when the person never began setting it up."""
    row = db.session.get(TwoFactor, person.id)
    if row is None:
        return None
    codes = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == person.id).order_by(RecoveryCode.id)
    )
    return {
        "created_at": row.created_at,
        "enabled_at": row.enabled_at,
        "recovery_codes": [{"created_at": c.created_at, "used_at": c.used_at} for c in codes],
    }


def sign_on_links(person: User) -> list[dict]:
    """The single sign-on accounts linked to the person: the provider and its id for them."""
    rows = db.session.scalars(
        select(UserIdentity).where(UserIdentity.user_id == person.id).order_by(UserIdentity.id)
    )
    return [
        {
            "issuer": r.issuer,
            "subject": r.subject,
            "created_at": r.created_at,
            "last_used_at": r.last_used_at,
        }
        for r in rows
    ]


def pauses_record(enrolment: Enrolment) -> list[dict]:
    rows = db.session.scalars(
        select(EnrolmentPause)
        .where(EnrolmentPause.enrolment_id == enrolment.id)
        .order_by(EnrolmentPause.paused_from, EnrolmentPause.id)
    )
    return [
        {
            "reason": p.reason,
            "paused_from": p.paused_from,
            "expected_return_on": p.expected_return_on,
            "ended_on": p.ended_on,
        }
        for p in rows
    ]


def moves_record(enrolment: Enrolment) -> list[dict]:
    """Each move to a new framework version: what changed, and the gap analysis as signed."""
    rows = db.session.scalars(
        select(FrameworkMove)
        .where(FrameworkMove.enrolment_id == enrolment.id)
        .options(
            joinedload(FrameworkMove.from_framework),
            joinedload(FrameworkMove.to_framework),
            joinedload(FrameworkMove.signature),
        )
        .order_by(FrameworkMove.moved_at, FrameworkMove.id)
    )
    return [
        {
            "from": framework_label(m.from_framework),
            "to": framework_label(m.to_framework),
            "moved_at": m.moved_at,
            "changes": m.changes,
            "record_sha256": m.record_sha256,
            "gap_analysis": {
                "signer": m.signature.signer_name,
                "signer_gphc_number": m.signature.signer_gphc_number,
                "statement": m.signature.statement,
                "comment": m.signature.comment,
                "signed_at": m.signature.signed_at,
                "record_sha256": m.signature.record_sha256,
            }
            if m.signature
            else None,
        }
        for m in rows
    ]


def carried_over_from(enrolment: Enrolment) -> dict[int, int]:
    """Sign-off id -> the id of the earlier version's sign-off it carries over."""
    rows = db.session.execute(
        select(SignOffCarryOver.sign_off_id, SignOffCarryOver.original_id)
        .join(FrameworkMove, FrameworkMove.id == SignOffCarryOver.move_id)
        .where(FrameworkMove.enrolment_id == enrolment.id)
    )
    return dict(rows.all())
