"""Keeping progress summaries true in the transaction that changes them.

Every flush notes which enrolments its records belong to: evidence and its versions and
links, reviews, assessors' forms, sign-offs and revocations, pauses, supervision
sessions, the enrolment itself (completion, a framework move, new dates), and the
trainee's registration and Level 3. Just before the transaction commits, those
enrolments' summaries are recomputed (`progress_summary.refresh`), so the summary and the
change land together or not at all. A change made with a bulk SQL statement, which no
flush sees, names its enrolments with `touch`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.enrolments import Enrolment, EnrolmentPause
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.registration import Qualification, Registration
from app.models.reviews import Review
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.supervision import SupervisionSession
from app.services.reporting import progress_summary

_PENDING = "progress_summary_pending"

# What a changed record says about whose summary moved: (kind, the key of that kind).
_KEYS: dict[type, Callable[[Any], tuple[str, int | None]]] = {
    Enrolment: lambda r: ("enrolment", r.id),
    Evidence: lambda r: ("enrolment", r.enrolment_id),
    SignOff: lambda r: ("enrolment", r.enrolment_id),
    EnrolmentPause: lambda r: ("enrolment", r.enrolment_id),
    SupervisionSession: lambda r: ("enrolment", r.enrolment_id),
    EvidenceVersion: lambda r: ("evidence", r.evidence_id),
    Review: lambda r: ("evidence", r.evidence_id),
    AssessmentRequest: lambda r: ("evidence", r.evidence_id),
    EvidenceLink: lambda r: ("version", r.evidence_version_id),
    SignOffRevocation: lambda r: ("sign_off", r.sign_off_id),
    Registration: lambda r: ("trainee", r.user_id),
    Qualification: lambda r: ("trainee", r.user_id),
}

# How each kind of key finds its enrolments.
_ENROLMENTS_OF = {
    "evidence": lambda ids: select(Evidence.enrolment_id).where(Evidence.id.in_(ids)),
    "version": lambda ids: (
        select(Evidence.enrolment_id)
        .join(EvidenceVersion, EvidenceVersion.evidence_id == Evidence.id)
        .where(EvidenceVersion.id.in_(ids))
    ),
    "sign_off": lambda ids: select(SignOff.enrolment_id).where(SignOff.id.in_(ids)),
    "trainee": lambda ids: select(Enrolment.id).where(Enrolment.trainee_id.in_(ids)),
}


def _pending(session: Session) -> set[tuple[str, int]]:
    return session.info.setdefault(_PENDING, set())


def touch(enrolment_ids: Iterable[int]) -> None:
    """Recompute these enrolments' summaries when the current transaction commits."""
    _pending(db.session()).update(("enrolment", enrolment_id) for enrolment_id in enrolment_ids)


def _collect(session: Session, _context) -> None:
    pending = _pending(session)
    for record in (*session.new, *session.dirty, *session.deleted):
        key = _KEYS.get(type(record))
        if key is not None:
            kind, value = key(record)
            if value is not None:
                pending.add((kind, value))


def _enrolment_ids(session: Session, pending: set[tuple[str, int]]) -> set[int]:
    found = {value for kind, value in pending if kind == "enrolment"}
    for kind, query in _ENROLMENTS_OF.items():
        keys = [value for each, value in pending if each == kind]
        if keys:
            found.update(session.scalars(query(keys)))
    return found


def _refresh(session: Session) -> None:
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if pending:
        progress_summary.refresh(_enrolment_ids(session, pending))


def _forget(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen to every session of the app's scoped session (once per process)."""
    if not event.contains(db.session, "after_flush", _collect):
        event.listen(db.session, "after_flush", _collect)
        event.listen(db.session, "before_commit", _refresh)
        event.listen(db.session, "after_rollback", _forget)
