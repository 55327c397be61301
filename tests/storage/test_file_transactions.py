"""Issue 21 point 1: a file is written before the database commit and removed only after it,
so a failed transaction leaves at most an orphan, never a record without its file."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.evidence import Attachment, Evidence
from app.services.errors import DomainError
from app.services.portfolio.attachments import store_upload
from app.services.storage import current_storage, new_key, remove_after_commit
from tests.s3_server import free_port
from tests.storage.conftest import stored_keys

PDF = b"%PDF-1.4\nnotes\n%%EOF\n"


def draft(world) -> Evidence:
    return db.session.get(Evidence, world.draft_args["evidence_id"])


def test_a_file_written_in_a_transaction_that_rolls_back_is_deleted(backend, app, world) -> None:
    before = stored_keys()
    attachment = store_upload(
        draft(world), io.BytesIO(PDF), "notes.pdf", version_number=1, max_bytes=10_000
    )
    key = attachment.storage_key
    assert key in stored_keys()  # written before the commit

    db.session.rollback()  # say a later step of the request failed

    assert stored_keys() == before
    assert db.session.scalars(select(Attachment).where(Attachment.storage_key == key)).all() == []


def test_a_file_dropped_by_a_transaction_goes_only_when_it_commits(backend, app) -> None:
    storage = current_storage()
    key = new_key()
    storage.put(key, io.BytesIO(b"kept until the row is gone"))

    remove_after_commit(storage, key)
    db.session.rollback()
    assert storage.exists(key), "a rolled-back transaction still points at the file"

    remove_after_commit(storage, key)
    db.session.commit()
    assert not storage.exists(key)


def test_an_upload_the_store_cannot_take_is_refused_in_words(app, world, s3_server, monkeypatch):
    s3_server.apply(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setitem(app.config, "STORAGE_URL", s3_server.storage_url())
    before = db.session.scalars(select(Attachment.id)).all()

    with pytest.raises(DomainError, match=r"could not be stored just now\. Try again"):
        store_upload(draft(world), io.BytesIO(PDF), "new.pdf", version_number=1, max_bytes=10_000)

    db.session.rollback()
    assert db.session.scalars(select(Attachment.id)).all() == before
