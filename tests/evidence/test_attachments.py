"""Storing uploads: size limit, type by content, generated storage names, safe download names."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from app.services.errors import DomainError
from app.services.portfolio.attachments import (
    OLE_HEADER,
    describe_size,
    remove_stored,
    safe_filename,
    sniff_media_type,
    store_file,
    stored_path,
)

LIMIT = 64 * 1024
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _ooxml(main_part: str) -> bytes:
    types = (
        '<?xml version="1.0"?><Types><Override PartName="/main.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.{main_part}"/></Types>'
    )
    return _zip({"[Content_Types].xml": types.encode(), "main.xml": b"<x/>"})


def _odf(media_type: str) -> bytes:
    return _zip({"mimetype": media_type.encode(), "content.xml": b"<x/>"})


def _ole(stream_name: str) -> bytes:
    return OLE_HEADER + b"\x00" * 600 + stream_name.encode("utf-16-le") + b"\x00" * 100


SAMPLES = {
    "report.pdf": (PDF, "application/pdf"),
    "photo.png": (PNG, "image/png"),
    "photo.jpeg": (JPEG, "image/jpeg"),
    "photo.JPG": (JPEG, "image/jpeg"),
    "chart.gif": (GIF, "image/gif"),
    "notes.docx": (
        _ooxml("wordprocessingml.document.main+xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "audit.xlsx": (
        _ooxml("spreadsheetml.sheet.main+xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "notes.odt": (
        _odf("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    "audit.ods": (
        _odf("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    "old.doc": (_ole("WordDocument"), "application/msword"),
    "old.xls": (_ole("Workbook"), "application/vnd.ms-excel"),
    "notes.txt": ("Plain notes, with UTF-8: café ✓\n".encode(), "text/plain"),
}


def store(tmp_path: Path, content: bytes, name: str, limit: int = LIMIT):
    return store_file(io.BytesIO(content), name, upload_dir=tmp_path, max_bytes=limit)


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_accepted_type_is_recognised_by_its_content(tmp_path, name):
    content, media_type = SAMPLES[name]
    stored = store(tmp_path, content, name)
    assert stored.media_type == media_type
    assert stored.size_bytes == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_path(tmp_path, stored.storage_key).read_bytes() == content


def test_the_file_is_stored_under_a_generated_key_never_its_name(tmp_path):
    stored = store(tmp_path, PDF, "Mrs Smith referral.pdf")
    first = store(tmp_path, PDF, "Mrs Smith referral.pdf")
    assert stored.storage_key != first.storage_key
    names = [p.name for p in stored_files(tmp_path)]
    assert all("Smith" not in n and n.isalnum() for n in names)
    assert stored_path(tmp_path, stored.storage_key).is_relative_to(tmp_path)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML, "results.pdf"),  # a .pdf that is really HTML
        (HTML, "results.txt"),  # HTML is never accepted, whatever the name
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "chart.txt"),
        (PDF, "report.docx"),  # the content is a PDF, the name says Word
        (PNG, "photo.jpg"),
        (_zip({"a.txt": b"hello"}), "notes.docx"),  # a plain zip is not a document
        (_zip({"mimetype": b"application/zip"}), "notes.odt"),
        (OLE_HEADER + b"\x00" * 100, "old.doc"),  # an OLE file with no Word stream
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe"),
        (b"text with a \x00 byte", "notes.txt"),
        ("Latin-1 caf\xe9".encode("latin-1"), "notes.txt"),
        (b"PK\x03\x04 truncated zip", "notes.docx"),
    ],
)
def test_content_that_is_not_an_accepted_type_or_does_not_match_its_name_is_refused(
    tmp_path, content, name
):
    with pytest.raises(DomainError) as caught:
        store(tmp_path, content, name)
    assert caught.value.field == "file"
    assert stored_files(tmp_path) == []


def test_an_oversize_upload_is_refused_and_nothing_is_kept(tmp_path):
    with pytest.raises(DomainError, match="64 KB or smaller"):
        store(tmp_path, PDF + b"0" * LIMIT, "big.pdf")
    assert stored_files(tmp_path) == []


def test_an_upload_exactly_at_the_limit_is_accepted(tmp_path):
    content = PDF + b"0" * (LIMIT - len(PDF))
    assert store(tmp_path, content, "full.pdf").size_bytes == LIMIT


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(DomainError, match="empty"):
        store(tmp_path, b"", "empty.txt")
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "media_type", "expected"),
    [
        ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        ("..\\..\\windows\\report.pdf", "application/pdf", "report.pdf"),
        ("C:\\Users\\me\\My notes.docx", SAMPLES["notes.docx"][1], "My notes.docx"),
        ("..", "application/pdf", "attachment.pdf"),
        ("", "image/png", "attachment.png"),
        ("re\x00po\x1brt\u202e.pdf", "application/pdf", "report.pdf"),
        ('a"b;c<d>.pdf', "application/pdf", "abcd.pdf"),
        ("Scan.PDF", "application/pdf", "Scan.pdf"),
        ("photo", "image/jpeg", "photo.jpg"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("  .hidden.txt ", "text/plain", "hidden.txt"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 146 + ".pdf"),
    ],
)
def test_download_names_lose_paths_and_control_characters_and_keep_a_fitting_extension(
    name, media_type, expected
):
    assert safe_filename(name, media_type) == expected


def test_a_name_without_an_extension_is_accepted_and_given_one(tmp_path):
    assert store(tmp_path, PNG, "screenshot").media_type == "image/png"


@pytest.mark.parametrize("key", ["../secret", "a" * 39, "A" * 40, "0" * 40 + "/x"])
def test_only_generated_keys_map_to_a_path(tmp_path, key):
    with pytest.raises(ValueError, match="storage key"):
        stored_path(tmp_path, key)


def test_remove_stored_deletes_the_file_and_tolerates_it_being_gone(tmp_path):
    stored = store(tmp_path, PDF, "r.pdf")
    remove_stored(tmp_path, stored.storage_key)
    remove_stored(tmp_path, stored.storage_key)
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize(
    ("size", "words"), [(10 * 1024 * 1024, "10 MB"), (500 * 1024, "500 KB"), (20, "20 bytes")]
)
def test_sizes_are_described_for_people(size, words):
    assert describe_size(size) == words


def test_sniffing_reads_content_not_the_name(tmp_path):
    path = tmp_path / "looks-like.pdf"
    path.write_bytes(PNG)
    assert sniff_media_type(path) == "image/png"
