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
from app.models.signoffs import Completion, SignOff, SignOffRevocation
from app.services.completion import completion_digest
from app.services.signoffs import revocation_digest, sign_off_digest


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
    kind: str, record_id: int, stored: str, recomputed: str, audited: dict[str, str]
) -> RecordProblem | None:
    if recomputed != stored:
        return RecordProblem(kind, record_id, "its content does not match its digest")
    if audited.get(str(record_id)) != stored:
        return RecordProblem(kind, record_id, "its digest does not match its audit event")
    return None


def verify_records() -> list[RecordProblem]:
    """Every sign-off, revocation and completion, in id order; empty when all are intact."""
    problems: list[RecordProblem | None] = []
    audited = _audited_digests("competency.signed_off")
    sign_off_digests = {}
    for s in db.session.scalars(select(SignOff).order_by(SignOff.id)):
        sign_off_digests[s.id] = s.record_sha256
        problems.append(_check("sign-off", s.id, s.record_sha256, sign_off_digest(s), audited))
    audited = _audited_digests("competency.sign_off_revoked")
    for r in db.session.scalars(select(SignOffRevocation).order_by(SignOffRevocation.id)):
        recomputed = revocation_digest(r, sign_off_digests.get(r.sign_off_id, ""))
        problems.append(_check("revocation", r.id, r.record_sha256, recomputed, audited))
    audited = _audited_digests("enrolment.completed")
    for c in db.session.scalars(select(Completion).order_by(Completion.id)):
        problems.append(_check("completion", c.id, c.record_sha256, completion_digest(c), audited))
    return [p for p in problems if p is not None]
