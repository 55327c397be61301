"""Issue 21 point 1: `storage sweep [--dry-run]` deletes stored files no record points to and
older than a day, and nothing else."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.evidence import Attachment
from app.models.registration import Qualification
from app.services.storage import current_storage, new_key
from app.services.storage.sweep import sweep
from tests.s3_server import free_port
from tests.storage.conftest import stored_keys

DAY = 24 * 3600


def referenced_keys() -> set[str]:
    keys = set(db.session.scalars(select(Attachment.storage_key)))
    keys |= set(db.session.scalars(select(Qualification.certificate_storage_key)))
    return keys - {None}


def put(key: str, content: bytes = b"orphaned bytes") -> str:
    current_storage().put(key, io.BytesIO(content))
    return key


def sweep_events() -> list[dict]:
    return [
        e.data
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "storage.swept"))
    ]


def test_the_sweep_deletes_old_orphans_only_on_either_backend(backend, app, world) -> None:
    referenced = referenced_keys()
    assert referenced
    orphan = put(new_key())
    elsewhere = put(new_key("elsewhere"))  # a namespace no feature registered: not judged
    storage = current_storage()

    fresh = sweep(storage, now=utcnow(), dry_run=False)
    assert fresh.orphans == []
    assert fresh.too_recent == len(referenced) + 1

    later = utcnow() + timedelta(days=2)
    preview = sweep(storage, now=later, dry_run=True)
    assert [item.key for item in preview.orphans] == [orphan]
    assert preview.not_judged == 1
    assert orphan in stored_keys()
    assert sweep_events() == []

    done = sweep(storage, now=later, dry_run=False)
    db.session.commit()

    assert [item.key for item in done.orphans] == [orphan]
    assert stored_keys() == referenced | {elsewhere}
    assert sweep_events() == [{"files": 1, "bytes": len(b"orphaned bytes")}]


def _age(app, key: str, days: float) -> None:
    path = current_storage().path(key)
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_the_command_names_what_it_would_delete_then_deletes_it(app, runner, world) -> None:
    referenced = referenced_keys()
    for key in referenced:
        _age(app, key, 30)
    old_orphan = put(new_key())
    _age(app, old_orphan, 2)
    new_orphan = put(new_key())  # perhaps an upload whose transaction is still running

    preview = runner.invoke(args=["storage", "sweep", "--dry-run"])

    assert preview.exit_code == 0, preview.output
    lines = preview.output.splitlines()
    assert lines[0].startswith(f"would delete {old_orphan} (14 bytes, last changed ")
    assert lines[-1] == (
        f"local folder {app.config['UPLOAD_DIR']}: would delete 1 orphan file (14 bytes); "
        f"{len(referenced) + 1} older than a day checked, 1 newer left alone"
    )
    assert len(lines) == 2
    assert stored_keys() == referenced | {old_orphan, new_orphan}

    swept = runner.invoke(args=["storage", "sweep"])

    assert swept.exit_code == 0, swept.output
    assert swept.output.startswith(f"deleted {old_orphan} (14 bytes, last changed ")
    assert stored_keys() == referenced | {new_orphan}


def test_the_command_fails_in_one_line_when_the_store_cannot_be_reached(
    app, runner, s3_server, monkeypatch
) -> None:
    s3_server.apply(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setitem(app.config, "STORAGE_URL", s3_server.storage_url())

    result = runner.invoke(args=["storage", "sweep"])

    assert result.exit_code == 1
    assert result.output == (
        "Error: storage sweep failed: the object store's endpoint cannot be reached\n"
    )
