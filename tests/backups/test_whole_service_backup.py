"""A populated service backed up into one archive, checked, and restored into an empty
database and storage: every row of every table and every stored file comes back."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from app.extensions import db
from app.services.storage.store import current_storage, open_storage
from tests.backups.conftest import LETTER, every_row, stored_bytes
from tests.conftest import ON_POSTGRES


def test_backup_then_restore_brings_back_every_row_and_every_file(
    app, runner, populated, empty_database, tmp_path
):
    archive = tmp_path / "backups" / "pcpt.tar"
    rows_before = every_row(db.engine)
    files_before = stored_bytes(current_storage())
    assert LETTER in files_before.values()
    assert len(files_before) >= 4  # attachments, a certificate, an exemption letter

    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    backend = "postgresql" if ON_POSTGRES else "sqlite"
    assert made.output.startswith(f"backed up to {archive}: {backend} database, ")
    assert f", {len(files_before)} files (" in made.output
    assert made.output.strip().endswith("audit events; read back and checked")

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames())
    assert manifest["row_counts"] == {t: len(rows) for t, rows in rows_before.items()}
    assert manifest["audit"]["events"] == manifest["row_counts"]["audit_events"]
    assert set(manifest["files"]) == set(files_before)
    assert names == {"manifest.json", *manifest["members"]}

    checked = runner.invoke(args=["restore", str(archive), "--check"])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith(f"archive is good: {backend} database, ")
    assert f"audit chain intact ({manifest['audit']['events']} events)" in checked.output

    target_files = tmp_path / "restored-files"
    restored = runner.invoke(
        args=[
            "restore",
            str(archive),
            "--into",
            empty_database,
            "--storage",
            f"file://{target_files}",
        ]
    )
    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith(f"restored {archive} into ")
    assert every_row(empty_database) == rows_before
    assert stored_bytes(open_storage(f"file://{target_files}")) == files_before


def test_a_service_keeping_its_files_on_s3_is_restored_into_an_empty_prefix(
    app, runner, request, s3_server, monkeypatch, empty_database, tmp_path
):
    s3_server.apply(monkeypatch)
    monkeypatch.setitem(app.config, "STORAGE_URL", s3_server.storage_url())
    request.getfixturevalue("populated")
    assert not Path(app.config["UPLOAD_DIR"]).exists()  # every file went to the S3 server
    rows_before = every_row(db.engine)
    files_before = stored_bytes(current_storage())
    assert LETTER in files_before.values()
    archive = tmp_path / "pcpt.tar"

    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    target = s3_server.storage_url()
    restored = runner.invoke(
        args=["restore", str(archive), "--into", empty_database, "--storage", target]
    )

    assert restored.exit_code == 0, restored.output
    assert every_row(empty_database) == rows_before
    assert stored_bytes(open_storage(target)) == files_before


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    app, runner, populated, tmp_path
):
    archive = tmp_path / "pcpt.tar"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    rows_before = every_row(db.engine)
    target_files = tmp_path / "restored-files"
    live = db.engine.url.render_as_string(hide_password=False)

    result = runner.invoke(
        args=["restore", str(archive), "--into", live, "--storage", f"file://{target_files}"]
    )

    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert "nothing was changed" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert every_row(db.engine) == rows_before
    assert not target_files.exists() or not any(target_files.rglob("*"))


def test_restore_refuses_storage_that_is_not_empty_and_changes_nothing(
    app, runner, populated, empty_database, tmp_path
):
    archive = tmp_path / "pcpt.tar"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    # The app's own storage already holds the service's files.
    result = runner.invoke(args=["restore", str(archive), "--into", empty_database])
    assert result.exit_code == 1
    assert "already holds files" in result.output
    assert every_row(empty_database) == {}


def test_backup_refuses_to_overwrite_a_file(runner, populated, tmp_path: Path):
    target = tmp_path / "exists.tar"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_text() == "keep me"


def test_restore_needs_check_or_into(runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "x.tar")])
    assert result.exit_code == 1
    assert "give either --check, or --into DATABASE_URL" in result.output


def test_a_place_that_cannot_be_written_fails_in_one_line(runner, populated, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = runner.invoke(args=["backup", str(blocker / "pcpt.tar")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert f"{blocker}: File exists" in result.output


def test_a_storage_url_that_cannot_be_used_fails_in_one_line(runner, populated, tmp_path):
    archive = tmp_path / "pcpt.tar"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    result = runner.invoke(
        args=["restore", str(archive), "--into", "sqlite:///x.sqlite3", "--storage", "ftp://x"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: --storage: STORAGE_URL must look like s3://bucket/prefix or file:///folder "
        "(ftp:// given)"
    ]
