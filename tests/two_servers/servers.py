"""gunicorn servers on loopback for the two-server test: each in processes of its own, with
a folder of its own, sharing what the environment names."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import make_url, text

from app.extensions import db
from tests.conftest import ROOT

STARTUP_SECONDS = 60


class ServedService:
    """One server: `gunicorn tests.two_servers.shared_service_app:app` with one worker."""

    def __init__(self, name: str, folder: Path, shared_env: dict[str, str]) -> None:
        self.name = name
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.upload_dir = folder / "uploads"
        self.log_path = folder / "gunicorn.log"
        self.application_name = f"pcpt-two-servers-{uuid.uuid4().hex[:10]}"
        url = make_url(shared_env["PCPT_SHARED_DATABASE_URL"])
        url = url.update_query_dict({"application_name": self.application_name})
        self.env = {
            **os.environ,
            **shared_env,
            "PCPT_SHARED_DATABASE_URL": url.render_as_string(hide_password=False),
            "PCPT_OWN_UPLOAD_DIR": str(self.upload_dir),
            "PCPT_OWN_MAIL_OUTBOX": str(folder / "outbox"),
        }
        self.url = ""
        self.process: subprocess.Popen | None = None

    def start(self) -> ServedService:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    "1",
                    "--bind",
                    "127.0.0.1:0",
                    "--graceful-timeout",
                    "10",
                    "tests.two_servers.shared_service_app:app",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"server {self.name} did not start:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        return self

    def _ready(self) -> bool:
        if not self.url:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log())
            if not found:
                return False
            self.url = found.group(1)
        connection = http.client.HTTPConnection(urlsplit(self.url).netloc, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        """Stop it, and wait until its database connections have gone (an idle one would
        hold up the suite's per-test clean-up)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        deadline = time.monotonic() + 15
        while self._connections():
            if time.monotonic() > deadline:
                pytest.fail(f"server {self.name}'s PostgreSQL connections outlived it")
            time.sleep(0.05)

    def _connections(self) -> int:
        with db.engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": self.application_name},
            ).scalar_one()
