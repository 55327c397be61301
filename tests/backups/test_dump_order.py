"""A PostgreSQL dump lists a table's rows in the order they lie on disk, not by id: the
check of its audit chain reads them in id order, and still names a missing event."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from app.models.audit import AuditEvent
from app.services.audit.chain import GENESIS_HASH, chain_hash, verify_events
from app.services.backups.snapshot import in_id_order


def _chain(length: int) -> list[AuditEvent]:
    events, previous = [], GENESIS_HASH
    for number in range(1, length + 1):
        event = AuditEvent(
            id=number,
            at=datetime(2026, 1, 1, tzinfo=UTC),
            actor_id=None,
            action="test.step",
            subject_type="test",
            subject_id=str(number),
            data={"n": number},
            prev_hash=previous,
            hash="",
        )
        event.hash = previous = chain_hash(previous, event)
        events.append(event)
    return events


def test_events_out_of_place_on_disk_still_verify():
    events = _chain(40)
    on_disk = events[28:] + events[:28]  # as after a vacuum: the first ones written last
    assert verify_events(on_disk).intact is False
    report = verify_events(in_id_order(on_disk))
    assert report.intact, report.reason
    assert report.checked == 40
    shuffled = random.Random(7).sample(events, len(events))
    assert [e.id for e in in_id_order(shuffled)] == list(range(1, 41))


def test_a_missing_event_is_still_named():
    events = _chain(10)
    del events[3]  # event 4
    report = verify_events(in_id_order(reversed(events)))
    assert not report.intact
    assert report.first_bad_id == 5
    assert report.reason == "event 4 is missing"
