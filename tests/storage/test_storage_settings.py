"""Issue 21 point 1: STORAGE_URL chooses the backend; a malformed one stops the start with the
reason (no silent fallback to the local folder), whatever the configuration."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app import create_app
from app.services.storage import current_storage
from app.services.storage.local import LocalStorage
from app.services.storage.s3 import S3Storage
from tests.conftest import PRODUCTION_SIGNING_KEY, ROOT

BAD_URLS = {
    "ftp://files.example/x": "STORAGE_URL must look like s3://bucket/prefix or file:///folder",
    "uploads": "STORAGE_URL must look like s3://bucket/prefix or file:///folder",
    "s3://": "STORAGE_URL s3:// needs a valid bucket name",
    "s3://Bad_Bucket/x": "STORAGE_URL s3:// needs a valid bucket name",
    "s3://key:secret@bucket/x": "credentials come from the AWS_ACCESS_KEY_ID",
    "s3://bucket/a b": "STORAGE_URL's prefix may hold only",
    "file:relative/folder": "STORAGE_URL file:// must name an absolute folder",
}


@pytest.mark.parametrize("url", list(BAD_URLS))
def test_a_malformed_storage_url_stops_the_app_with_the_reason(url: str, tmp_path) -> None:
    with pytest.raises(SystemExit) as stopped:
        create_app("testing", STORAGE_URL=url, UPLOAD_DIR=str(tmp_path))
    message = str(stopped.value)
    assert BAD_URLS[url] in message
    assert "secret" not in message


def test_production_refuses_a_malformed_storage_url_at_start(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "FLASK_CONFIG": "production",
        "CREDENTIAL_SIGNING_KEY": PRODUCTION_SIGNING_KEY,
        "SECRET_KEY": "production-secret-key-with-enough-variety-0123456789",
        "BASE_URL": "https://portfolio.example.nhs.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "INSTANCE_DIR": str(tmp_path),
        "STORAGE_URL": "s3:/bucket-without-its-second-slash",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from wsgi import app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == ("STORAGE_URL s3:// needs a valid bucket name")


def test_unset_means_the_local_upload_folder(app) -> None:
    storage = current_storage()
    assert isinstance(storage, LocalStorage)
    assert str(storage.root) == app.config["UPLOAD_DIR"]


def test_file_and_s3_urls_choose_their_backend(app, monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(app.config, "STORAGE_URL", f"file://{tmp_path}/files")
    assert current_storage().describe() == f"local folder {tmp_path}/files"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://pcpt-files/hub-a/")
    storage = current_storage()
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("pcpt-files", "hub-a")
    assert storage.describe() == "S3 bucket pcpt-files, prefix hub-a at http://127.0.0.1:9"
