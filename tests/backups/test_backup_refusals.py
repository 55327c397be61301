"""`backup PATH` refuses, in one line and leaving no file behind, to archive a service it
could not restore whole: a stored file missing or changed, or a broken audit chain."""

from __future__ import annotations

import io
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.evidence import Attachment
from app.services.storage.store import current_storage
from tests.conftest import ON_POSTGRES


def refused(runner, target) -> str:
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert list(target.parent.iterdir()) == []  # neither the archive nor a .partial
    return result.output


def an_attachment_key() -> str:
    return db.session.scalars(select(Attachment.storage_key).order_by(Attachment.id)).first()


def test_a_stored_file_missing_is_named(runner, populated, tmp_path):
    key = an_attachment_key()
    current_storage().delete(key)
    output = refused(runner, tmp_path / "out" / "pcpt.tar")
    assert f"stored file {key} (attachments.storage_key) is missing from " in output


def test_a_stored_file_that_changed_is_named(runner, populated, tmp_path):
    key = an_attachment_key()
    storage = current_storage()
    storage.delete(key)
    storage.put(key, io.BytesIO(b"not what was uploaded"))
    output = refused(runner, tmp_path / "out" / "pcpt.tar")
    assert f"stored file {key} (attachments.storage_key) does not match the sha256" in output


@pytest.mark.skipif(ON_POSTGRES, reason="edits the SQLite file under the app")
def test_a_broken_audit_chain_is_named(app, runner, populated, tmp_path):
    db.session.commit()
    with closing(sqlite3.connect(db.engine.url.database)) as conn:
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("UPDATE audit_events SET subject_id = '77' WHERE id = 2")
        conn.commit()
    output = refused(runner, tmp_path / "out" / "pcpt.tar")
    assert "the audit chain is broken at event 2 (content does not match its hash)" in output
