"""A populated service to back up, and empty targets to restore it into.

The service is the access-control world (tests/security/world.py: people of every role,
evidence with attachments, a sign-off, a certificate, a development plan, a feedback
round...) plus an exemption letter, so every kind of stored file is in the backup.
On PostgreSQL each empty target is a new database `pcpt_backup_<random>`, dropped after.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models.enrolments import Enrolment
from app.services.storage.documents import Upload, store_document
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL
from tests.s3_server import s3_server  # noqa: F401  (registers the fixture)
from tests.security.world import build_world

LETTER = b"%PDF-1.4\n% an exemption letter for the backup tests\n%%EOF\n"


@pytest.fixture
def populated(app, make_user, make_org, framework):
    world = build_world(app, make_user, make_org, framework)
    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    letter = store_document(
        Upload(io.BytesIO(LETTER), "exemption.pdf"),
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=1024 * 1024,
        field="letter",
    )
    enrolment.exemption_storage_key = letter.storage_key
    enrolment.exemption_sha256 = letter.sha256
    enrolment.exemption_size_bytes = letter.size_bytes
    enrolment.exemption_media_type = letter.media_type
    enrolment.exemption_filename = letter.filename
    db.session.commit()
    return world


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables, of the kind the suite runs on."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored' / 'pcpt.sqlite3'}"
        return
    name = f"pcpt_backup_{secrets.token_hex(4)}"
    server = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def every_row(url_or_engine) -> dict[str, list[tuple]]:
    """Every row of every table (the migrations' bookkeeping too), in a stable order."""
    engine = create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as conn:
            found = {}
            for name in sorted(inspect(conn).get_table_names()):
                columns = [c["name"] for c in inspect(conn).get_columns(name)]
                query = sa.select(*(sa.column(c) for c in columns)).select_from(sa.table(name))
                found[name] = sorted((tuple(row) for row in conn.execute(query)), key=repr)
            return found
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def stored_bytes(storage) -> dict[str, bytes]:
    """Every stored file, by key."""
    contents = {}
    for item in storage.iter_keys():
        with storage.open(item.key) as handle:
            contents[item.key] = handle.read()
    return contents
