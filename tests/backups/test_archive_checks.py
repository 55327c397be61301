"""`restore PATH --check` refuses an archive that was changed or damaged, naming the first
problem in one line: a byte changed in a stored file, a row count edited in the manifest,
a file taken out, a broken audit chain, something that is not an archive at all."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

Edit = Callable[[str, bytes], bytes | None]  # a member's new content, or None to drop it


@pytest.fixture
def archive(runner, populated, tmp_path) -> Path:
    path = tmp_path / "pcpt.tar"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def rewritten(source: Path, edit: Edit, *, redigest: bool = False) -> Path:
    """A copy of the archive with members edited; `redigest` updates the manifest's
    digests to match, as someone covering their tracks would."""
    with tarfile.open(source) as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    changed = {}
    for name, data in contents.items():
        new = edit(name, data)
        if new is not None:
            changed[name] = new
    if redigest:
        manifest = json.loads(changed["manifest.json"])
        for name, data in changed.items():
            if name in manifest["members"]:
                manifest["members"][name] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
        changed["manifest.json"] = json.dumps(manifest).encode()
    target = source.with_name("edited-" + source.name)
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in changed.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def check(runner, path: Path):
    result = runner.invoke(args=["restore", str(path), "--check"])
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def first_file(path: Path) -> tuple[str, str]:
    key, entry = sorted(manifest_of(path)["files"].items())[0]
    return key, entry["member"]


def test_one_byte_changed_in_a_stored_file_is_named(runner, archive):
    _, member = first_file(archive)

    def flip(name, data):
        return bytes([data[0] ^ 1]) + data[1:] if name == member else data

    output = check(runner, rewritten(archive, flip))
    assert f"{member} does not match its sha256 in the manifest" in output


def test_a_changed_file_with_a_redone_manifest_still_fails_against_its_record(runner, archive):
    key, member = first_file(archive)

    def flip(name, data):
        return bytes([data[0] ^ 1]) + data[1:] if name == member else data

    output = check(runner, rewritten(archive, flip, redigest=True))
    assert f"stored file {key} (" in output
    assert "does not match the sha256 its record holds" in output


def test_an_edited_row_count_is_named(runner, archive):
    users = manifest_of(archive)["row_counts"]["users"]

    def more_users(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["row_counts"]["users"] += 1
        return json.dumps(manifest).encode()

    output = check(runner, rewritten(archive, more_users))
    assert (
        f"row count of users: the manifest says {users + 1}, "
        f"the database in the archive holds {users}"
    ) in output


def test_a_file_taken_out_of_the_archive_is_named(runner, archive):
    _, member = first_file(archive)
    output = check(runner, rewritten(archive, lambda n, d: None if n == member else d))
    assert f"{member} is in the manifest but missing from the archive" in output


def test_a_file_taken_out_of_the_archive_and_its_manifest_is_named(runner, archive):
    key, member = first_file(archive)

    def drop(name, data):
        if name == member:
            return None
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        del manifest["members"][member]
        del manifest["files"][key]
        return json.dumps(manifest).encode()

    output = check(runner, rewritten(archive, drop))
    assert f"stored file {key} (" in output
    assert "is missing from the archive" in output


@pytest.mark.skipif(ON_POSTGRES, reason="edits the SQLite copy inside the archive")
def test_a_broken_audit_chain_in_the_database_copy_is_named(runner, archive, tmp_path):
    def edit_event(name, data):
        if not name.startswith("database/"):
            return data
        copy = tmp_path / "copy.sqlite3"
        copy.write_bytes(data)
        with closing(sqlite3.connect(copy)) as conn:
            conn.execute("DROP TRIGGER audit_events_no_update")
            conn.execute("UPDATE audit_events SET subject_id = '77' WHERE id = 2")
            conn.commit()
        return copy.read_bytes()

    output = check(runner, rewritten(archive, edit_event, redigest=True))
    assert "audit chain broken at event 2: content does not match its hash" in output


def test_something_that_is_not_an_archive_fails_in_one_line(runner, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not an archive" * 100)
    assert "is not a backup archive" in check(runner, junk)


def test_an_edited_audit_head_is_named(runner, archive):
    def other_head(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["audit"]["head_hash"] = "0" * 64
        return json.dumps(manifest).encode()

    output = check(runner, rewritten(archive, other_head))
    assert "the audit chain's last hash is not the one in the manifest" in output


def test_a_member_the_manifest_does_not_list_is_named(runner, archive):
    def planted(name, data):
        return data

    edited = rewritten(archive, planted)
    with tarfile.open(edited, "a") as tar:
        info = tarfile.TarInfo("files/extra.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"extra"))
    output = check(runner, edited)
    assert "files/extra.txt is in the archive but not in its manifest" in output
