"""Error pages and logs: NHS style with a reference, no internals; JSON for the API."""

from __future__ import annotations

import json
import logging

import pytest
from bs4 import BeautifulSoup

from app.logs import JsonFormatter
from tests.conftest import ON_POSTGRES


@pytest.fixture
def failing_app(app):
    """The app with a route that fails between two writes, and testing mode off."""
    from app.extensions import db
    from app.permissions import public
    from app.services.accounts import organisations

    @app.route("/boom")
    @public
    def boom():
        organisations.create_organisation("Half Written", "practice")
        db.session.flush()
        raise RuntimeError("secret internals: password=hunter2")

    @app.route("/api/v1/boom")
    @public
    def api_boom():
        raise RuntimeError("secret internals")

    app.testing = False
    yield app
    app.testing = True


def test_unexpected_error_shows_an_nhs_page_with_a_reference_and_no_internals(failing_app, caplog):
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR, logger=failing_app.logger.name):
        response = client.get("/boom")
    assert response.status_code == 500
    page = BeautifulSoup(response.data, "html.parser")
    assert page.h1.get_text() == "Sorry, there is a problem with the service"
    text = page.get_text()
    assert "secret internals" not in text
    assert "Traceback" not in text
    reference = page.select_one("main strong").get_text()
    assert len(reference) == 8
    logged = [r for r in caplog.records if getattr(r, "context", None)]
    assert logged[0].context["reference"] == reference
    assert logged[0].context["path"] == "/boom"


def test_a_failure_between_two_writes_leaves_nothing_behind(failing_app):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import AuditEvent, Organisation

    failing_app.test_client().get("/boom")
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_api_errors_are_json_with_a_reference(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"]["code"] == "internal_error"
    assert response.headers["X-Error-Reference"] in body["error"]["message"]
    assert "secret" not in response.data.decode()


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/no/such/page", 404, "Page not found"),
        ("/auth/logout", 405, "This action is not available here"),
    ],
)
def test_client_errors_use_nhs_pages(client, path, status, title):
    response = client.get(path)
    assert response.status_code == status
    page = BeautifulSoup(response.data, "html.parser")
    assert page.h1.get_text() == title
    assert page.title.get_text() == f"{title} - PCPT Portfolio"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/auth/logout", {"POST", "OPTIONS"}), ("/api/v1/evidence", {"POST", "OPTIONS"})],
)
def test_a_405_names_the_methods_allowed_on_pages_and_in_the_api(client, path, allowed):
    """HTTP requires Allow on every 405; the page answers lacked it."""
    response = client.put(path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allowed


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_log_lines_are_json_in_utc_without_exception_messages():
    try:
        raise ValueError("the trainee wrote: patient Jane Doe")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "app", logging.ERROR, __file__, 1, "unhandled error", None, sys.exc_info()
        )
    record.context = {"reference": "ABCD1234", "path": "/x"}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["at"].endswith("+00:00")
    assert entry["reference"] == "ABCD1234"
    assert entry["error"] == "ValueError"
    assert "Jane Doe" not in json.dumps(entry)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite max_page_count simulates a full disk")
def test_a_full_disk_gives_a_clear_error_and_saves_nothing(app, make_user, login, database_url):
    import sqlite3
    from contextlib import closing

    from sqlalchemy import event, func, select

    from app.extensions import db
    from app.models import Organisation

    admin = make_user(roles=("admin",))
    client = app.test_client()
    login(client, admin)
    path = database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]

    # Every new connection may use no more pages than the file has now: the disk is "full".
    def cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    db.engine.dispose()
    event.listen(db.engine, "connect", cap)
    try:
        response = client.post(
            "/admin/organisations/new",
            data={"name": "X" * 150 + " practice " * 400, "kind": "practice", "parent": ""},
        )
        big = [
            client.post(
                "/admin/organisations/new",
                data={"name": f"Practice {i} " + "y" * 180, "kind": "practice", "parent": ""},
            )
            for i in range(200)
        ]
    finally:
        event.remove(db.engine, "connect", cap)
    failures = [r for r in [response, *big] if r.status_code == 503]
    assert failures, "the capped database never filled up"
    page = BeautifulSoup(failures[0].data, "html.parser")
    assert page.h1.get_text() == "The service cannot save anything at the moment"
    assert "Nothing was saved" in page.get_text()
    saved = db.session.scalar(select(func.count(Organisation.id)))
    events = db.session.scalar(select(func.count()).select_from(db.metadata.tables["audit_events"]))
    # Each organisation that was saved came with its audit event: nothing half-written.
    assert events == saved + 2  # plus the admin's creation and sign-in
