"""Storage tests: every backend, against a real S3-compatible server (tests/s3_server.py).

`backend_app` is an app whose storage is the local folder or the S3 server, by the
parameter; tests that take it run once on each.
"""

from __future__ import annotations

import pytest
from flask import Flask

from app.services.storage import current_storage
from tests.s3_server import s3_server  # noqa: F401  (registers the fixture)
from tests.security.conftest import world  # noqa: F401  (a populated service, for the pages)

BACKENDS = ("local", "s3")


@pytest.fixture(params=BACKENDS)
def backend(request, app: Flask, monkeypatch) -> str:
    """The app's storage switched to each backend in turn; yields its name."""
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        server.apply(monkeypatch)
        monkeypatch.setitem(app.config, "STORAGE_URL", server.storage_url())
    with app.app_context():
        current_storage()  # built now, so a test sees the backend it asked for
    return request.param


def stored_keys() -> set[str]:
    """Every key in the app's storage, read from the storage itself."""
    return {item.key for item in current_storage().iter_keys()}
