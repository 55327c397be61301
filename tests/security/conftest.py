"""The world of the access-control tests (see `world.py`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from app.extensions import db
from tests.conftest import _app_for
from tests.security.world import World, build_world


@pytest.fixture
def world(app, make_user, make_org, framework) -> World:
    return build_world(app, make_user, make_org, framework)


class _Quiet(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        pass


@contextmanager
def threaded_server(served: Flask) -> Iterator[str]:
    """`served` on a free loopback port, threaded as a server is; yields `host:port`."""
    server = make_server("127.0.0.1", 0, served, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with served.app_context():
            db.engine.dispose()


@pytest.fixture
def served(app, database_url, tmp_path) -> Iterator[str]:
    """The app on a real threaded server, on this test's database and files."""
    with threaded_server(_app_for(database_url, tmp_path)) as address:
        yield address
