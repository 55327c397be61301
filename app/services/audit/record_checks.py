"""Checking signed records: each against its own digest and against its audit event.

A sign-off, revocation or completion stores the sha256 of its canonical content, and the
audit event written with it repeats that digest inside the hash chain. Someone who edits
a row around the database's triggers breaks the first check; someone who also recomputes
the row's digest breaks the second (and cannot fix the audit event without breaking the
chain, which `audit verify` reports).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment
from app.models.signoffs import Completion, SignOff, SignOffRevocation
from app.services.privacy.erasure import ERASED
from app.services.supervision.completion import completion_digest
from app.services.supervision.signoff_digests import revocation_digest, sign_off_digest


@dataclass(frozen=True)
class RecordProblem:
    kind: str
    record_id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: {self.reason}"


def _audited_digests(action: str) -> dict[str, str]:
    """subject id -> the record digest its audit event carries, for one action."""
    rows = db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.data).where(AuditEvent.action == action)
    )
    return {subject_id: (data or {}).get("record_sha256", "") for subject_id, data in rows}


def _check(
    kind: str,
    record_id: int,
    stored: str,
    recomputed: str | None,
    audited: dict[str, str],
) -> RecordProblem | None:
    """`recomputed` is None for a record erased with its trainee: its content is gone, so
    only its digest (which the erasure may not change) is checked against its event."""
    if recomputed is not None and recomputed != stored:
        return RecordProblem(kind, record_id, "its content does not match its digest")
    if audited.get(str(record_id)) != stored:
        return RecordProblem(kind, record_id, "its digest does not match its audit event")
    return None


def _erased_trainees() -> set[int]:
    """Trainees whose personal data was erased: their records may hold the placeholder."""
    return {
        int(subject_id)
        for subject_id in db.session.scalars(
            select(AuditEvent.subject_id).where(AuditEvent.action == "user.erased")
        )
    }


def _enrolment_trainees(enrolment_ids: set[int]) -> dict[int, int]:
    if not enrolment_ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.id, Enrolment.trainee_id).where(Enrolment.id.in_(enrolment_ids))
    )
    return dict(rows.all())


def _unexplained_erasure(
    kind: str, record_id: int, trainee_id: int | None, erased: set[int]
) -> RecordProblem | None:
    if trainee_id in erased:
        return None
    return RecordProblem(kind, record_id, "it is marked erased but its trainee was not")


def verify_records() -> list[RecordProblem]:
    """Every sign-off, revocation and completion, in id order; empty when all are intact.

    A record erased with its trainee ("[erased]" in its personal fields) is accepted only
    when that trainee's erasure is in the audit trail.
    """
    problems: list[RecordProblem | None] = []
    erased = _erased_trainees()
    sign_offs = list(db.session.scalars(select(SignOff).order_by(SignOff.id)))
    completions = list(db.session.scalars(select(Completion).order_by(Completion.id)))
    trainees = _enrolment_trainees(
        {s.enrolment_id for s in sign_offs} | {c.enrolment_id for c in completions}
    )

    audited = _audited_digests("competency.signed_off")
    sign_off_digests, sign_off_trainees = {}, {}
    for s in sign_offs:
        sign_off_digests[s.id] = s.record_sha256
        sign_off_trainees[s.id] = trainees.get(s.enrolment_id)
        recomputed = None
        if s.trainee_name == ERASED:
            problems.append(_unexplained_erasure("sign-off", s.id, sign_off_trainees[s.id], erased))
        else:
            recomputed = sign_off_digest(s)
        problems.append(_check("sign-off", s.id, s.record_sha256, recomputed, audited))
    audited = _audited_digests("competency.sign_off_revoked")
    for r in db.session.scalars(select(SignOffRevocation).order_by(SignOffRevocation.id)):
        recomputed = None
        if r.reason == ERASED:
            trainee_id = sign_off_trainees.get(r.sign_off_id)
            problems.append(_unexplained_erasure("revocation", r.id, trainee_id, erased))
        else:
            recomputed = revocation_digest(r, sign_off_digests.get(r.sign_off_id, ""))
        problems.append(_check("revocation", r.id, r.record_sha256, recomputed, audited))
    audited = _audited_digests("enrolment.completed")
    for c in completions:
        recomputed = None
        if c.trainee_name == ERASED:
            trainee_id = trainees.get(c.enrolment_id)
            problems.append(_unexplained_erasure("completion", c.id, trainee_id, erased))
        else:
            recomputed = completion_digest(c)
        problems.append(_check("completion", c.id, c.record_sha256, recomputed, audited))
    return [p for p in problems if p is not None]
