"""Writing and verifying the hash-chained audit trail.

Each event's hash is sha256(prev_hash + canonical JSON of the event), so changing,
removing or reordering any past event breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.users import User

GENESIS_HASH = "0" * 64
# Serialises appends on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
_CHAIN_LOCK_KEY = 7_346_001


def _canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
            "id": event.id,
            "at": event.at.isoformat(timespec="microseconds"),
            "actor_id": event.actor_id,
            "action": event.action,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "data": event.data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def record(
    action: str,
    subject_type: str,
    subject_id: object | None,
    *,
    actor: User | None,
    data: dict | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (which commits it with the change)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # The chain's lock is taken after the rows the change locks (written by this
        # flush), never before: writers that lock in one order cannot deadlock.
        session.flush()
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS_HASH
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        data=data or {},
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = chain_hash(prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    first_bad_id: int | None = None
    reason: str | None = None
    head_hash: str = GENESIS_HASH  # the last event's hash (of the intact part)


def verify_events(events: Iterable[AuditEvent]) -> ChainReport:
    """Check events given in id order (from the database, or read from a backup)."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    for event in events:
        if event.id != expected_id:
            reason = f"event {expected_id} is missing"
            return ChainReport(False, checked, event.id, reason, prev_hash)
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.id, "previous hash does not match", prev_hash)
        if chain_hash(prev_hash, event) != event.hash:
            reason = "content does not match its hash"
            return ChainReport(False, checked, event.id, reason, prev_hash)
        prev_hash = event.hash
        expected_id += 1
        checked += 1
    return ChainReport(True, checked, head_hash=prev_hash)


def verify_chain(batch_size: int = 5000, session: Session | None = None) -> ChainReport:
    """Walk the chain in id order, in batches, so memory stays flat on long trails."""
    return verify_events(_stored_events(session or db.session, batch_size))


def _stored_events(session: Session, batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not events:
            return
        yield from events
        last_id = events[-1].id
        session.expunge_all()
