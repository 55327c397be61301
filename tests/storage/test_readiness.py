"""Issue 21 point 5: /healthz says the process is alive; /readyz says whether the database,
the storage and (when configured) Redis answer, naming in words what does not."""

from __future__ import annotations

import pytest

from tests.s3_server import free_port, running_s3_server

SECRET = "do-not-show-this-secret-0123456789"


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def test_a_server_with_the_local_folder_is_ready(client) -> None:
    assert ready(client) == (
        200,
        {"status": "ready", "checks": {"database": "ok", "storage": "ok"}},
    )


def test_a_server_with_s3_and_redis_is_ready(app, client, s3_server, monkeypatch) -> None:
    s3_server.apply(monkeypatch)
    monkeypatch.setitem(app.config, "STORAGE_URL", s3_server.storage_url())
    # Only PING is sent: nothing is read or written in the Redis database.
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    assert ready(client) == (
        200,
        {"status": "ready", "checks": {"database": "ok", "storage": "ok", "redis": "ok"}},
    )


def test_when_the_s3_server_stops_the_server_is_not_ready_but_still_alive(
    app, client, tmp_path, monkeypatch
) -> None:
    with running_s3_server(tmp_path) as server:
        server.apply(monkeypatch)
        monkeypatch.setitem(app.config, "STORAGE_URL", server.storage_url())
        assert ready(client)[0] == 200

        server.stop()

        assert ready(client) == (
            503,
            {
                "status": "not ready",
                "failed": ["storage"],
                "checks": {
                    "database": "ok",
                    "storage": "the object store's endpoint cannot be reached",
                },
            },
        )
        alive = client.get("/healthz")
        assert (alive.status_code, alive.get_json()) == (200, {"status": "ok"})


def test_a_wrong_endpoint_is_named_without_its_address_or_the_credentials(
    app, client, s3_server, monkeypatch
) -> None:
    s3_server.apply(monkeypatch)
    port = free_port()  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setitem(app.config, "STORAGE_URL", s3_server.storage_url())

    status, body = ready(client)

    assert status == 503
    assert body["failed"] == ["storage"]
    text = str(body)
    assert SECRET not in text
    assert str(port) not in text
    assert s3_server.bucket not in text


def test_a_missing_bucket_is_named(app, client, s3_server, monkeypatch) -> None:
    s3_server.apply(monkeypatch)
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://no-such-bucket-here/files")
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["storage"] == "the object store's bucket does not exist"


def test_a_local_folder_that_cannot_be_used_is_named(app, client, tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocked / "uploads"))
    status, body = ready(client)
    assert status == 503
    assert body["failed"] == ["storage"]
    assert body["checks"]["storage"].startswith("the storage folder cannot be created")


@pytest.mark.parametrize("setting", ["REDIS_URL", "RATELIMIT_STORAGE_URI"])
def test_redis_on_a_closed_port_is_named(app, client, monkeypatch, setting: str) -> None:
    monkeypatch.setitem(app.config, setting, f"redis://127.0.0.1:{free_port()}/0")
    assert ready(client) == (
        503,
        {
            "status": "not ready",
            "failed": ["redis"],
            "checks": {"database": "ok", "storage": "ok", "redis": "Redis did not answer"},
        },
    )


def test_a_database_that_does_not_answer_is_named(tmp_path) -> None:
    from app import create_app

    closed = free_port()
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{closed}/pcpt",
        UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    status, body = ready(app.test_client())
    assert status == 503
    assert body["failed"] == ["database"]
    assert body["checks"] == {"database": "the database did not answer", "storage": "ok"}
    assert str(closed) not in str(body)
