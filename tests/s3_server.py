"""A real S3-compatible server for the tests: moto's server mode, on loopback, over HTTP.

Not an in-process stub: `moto_server` runs as a subprocess on a free port and the app
talks to it through boto3 exactly as it would to any object store.

Use it from a conftest (or a test module) by importing the fixture::

    from tests.s3_server import s3_server  # noqa: F401  (registers the fixture)

    def test_something(s3_server, monkeypatch):
        s3_server.apply(monkeypatch)            # AWS_* variables point at the server
        url = s3_server.storage_url()           # s3://<bucket>/<fresh prefix>
        app = create_app("testing", STORAGE_URL=url, ...)

`s3_server` is session-scoped: one server and one bucket for the whole run. Each
`storage_url()` call gives a fresh prefix, so tests do not see each other's files.
`s3_server.env` holds the variables (endpoint, dummy credentials, region) for a
subprocess such as gunicorn: `subprocess.Popen(..., env={**os.environ, **s3_server.env})`.
`s3_server.client()` is a boto3 client for looking at the bucket directly.

A test that must stop its server (to see what happens when the store goes away) starts
one of its own: `with running_s3_server(tmp_path) as server: ... server.stop()`.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
BUCKET = "pcpt-test-files"
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    endpoint_url: str
    bucket: str
    process: subprocess.Popen = field(repr=False)

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_S3": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts any credentials
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point this process's AWS_* variables at the server (undone after the test)."""
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)

    def storage_url(self, prefix: str | None = None) -> str:
        return f"s3://{self.bucket}/{prefix or 'run-' + uuid.uuid4().hex[:12]}"

    def client(self):
        import boto3

        return boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        ).client("s3", endpoint_url=self.endpoint_url)

    def stop(self) -> None:
        """Stop the server (only one of your own: the session's is shared)."""
        _stop(self.process)

    def object_names(self, prefix: str = "") -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))


def _wait_until_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not listen on port {port}")


@contextmanager
def running_s3_server(log_dir: Path) -> Iterator[S3Server]:
    """A moto server of one's own, stopped on leaving (or earlier, with `server.stop()`)."""
    port = free_port()
    log = (log_dir / f"moto_server_{port}.log").open("wb")
    process = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_listening(port, process)
        server = S3Server(f"http://127.0.0.1:{port}", BUCKET, process)
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    """moto_server on 127.0.0.1:<free port> with an empty bucket, for the whole run."""
    with running_s3_server(tmp_path_factory.mktemp("moto")) as server:
        yield server
