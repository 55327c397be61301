"""The orphan sweep: stored files no record points to, older than a day, are deleted.

Files are written before the row that points at them is committed, so a transaction that
fails after the write (a crash, a lost connection) may leave a file nothing refers to.
The sweep finds them: every stored file whose key no key column holds and whose last
change is at least `min_age` (a day) old. The age keeps it away from uploads whose
transaction is still running.

Key columns: the attachments', the certificates' and the exemption letters'. A feature
that keeps files under a namespace of its own (`new_key("exports")`) registers its column
with `register_key_column(Model.column, namespace="exports")`; keys in a namespace
nobody registered are left alone, so the sweep never deletes what it cannot judge.

Memory stays flat: stored keys are checked against the database in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Attachment
from app.models.registration import Qualification
from app.services.audit import chain as audit
from app.services.storage.store import KEY, Storage, StoredObject

MIN_AGE = timedelta(days=1)
BATCH = 500

# namespace (None: uploads' plain keys) -> the columns whose values are keys in it
_KEY_COLUMNS: dict[str | None, list[InstrumentedAttribute]] = {
    None: [
        Attachment.storage_key,
        Qualification.certificate_storage_key,
        Enrolment.exemption_storage_key,
    ]
}


def register_key_column(column: InstrumentedAttribute, *, namespace: str | None = None) -> None:
    """Tell the sweep that `column` holds keys in `namespace` (None: plain upload keys)."""
    columns = _KEY_COLUMNS.setdefault(namespace, [])
    if not any(column is known for known in columns):
        columns.append(column)


def namespace_of(key: str) -> str | None:
    match = KEY.fullmatch(key)
    return match.group(1) if match else None


@dataclass
class SweepReport:
    orphans: list[StoredObject] = field(default_factory=list)  # deleted, or would be
    checked: int = 0  # stored files old enough to judge
    too_recent: int = 0
    not_judged: int = 0  # in a namespace no column was registered for

    @property
    def orphan_bytes(self) -> int:
        return sum(item.size_bytes for item in self.orphans)


def _referenced(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for namespace in {namespace_of(k) for k in keys}:
        wanted = [k for k in keys if namespace_of(k) == namespace]
        for column in _KEY_COLUMNS.get(namespace, []):
            found.update(db.session.scalars(select(column).where(column.in_(wanted))))
    return found


def _batches(items: Iterable[StoredObject]) -> Iterator[list[StoredObject]]:
    batch: list[StoredObject] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def find_orphans(storage: Storage, *, now: datetime, min_age: timedelta = MIN_AGE) -> SweepReport:
    """What the sweep would delete, changing nothing."""
    report = SweepReport()
    cutoff = now - min_age

    def old_enough() -> Iterator[StoredObject]:
        for item in storage.iter_keys():
            if namespace_of(item.key) not in _KEY_COLUMNS:
                report.not_judged += 1
            elif item.last_modified > cutoff:
                report.too_recent += 1
            else:
                report.checked += 1
                yield item

    for batch in _batches(old_enough()):
        referenced = _referenced([item.key for item in batch])
        report.orphans.extend(item for item in batch if item.key not in referenced)
    report.orphans.sort(key=lambda item: item.key)
    return report


def sweep(
    storage: Storage, *, now: datetime, dry_run: bool, min_age: timedelta = MIN_AGE
) -> SweepReport:
    """Delete the orphans (unless `dry_run`) and record one audit event when any went.

    The audit event is added to the caller's transaction (commit it); it names how many
    files and bytes went, not whose.
    """
    report = find_orphans(storage, now=now, min_age=min_age)
    if dry_run or not report.orphans:
        return report
    for item in report.orphans:
        storage.delete(item.key)
    audit.record(
        "storage.swept",
        "storage",
        None,
        actor=None,
        data={"files": len(report.orphans), "bytes": report.orphan_bytes},
    )
    return report
