"""Storing uploaded files safely.

The type comes from the file's content, never from its name or the browser, and must
agree with the name's extension (so a `.pdf` that is really HTML is refused). Files
are kept in the storage (`app.services.storage`: a local folder or an object store) under
a random key, never the user's name, and their SHA-256 is computed while they stream in.
Downloads use the cleaned name.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.extensions import db
from app.models.evidence import Attachment, Evidence
from app.models.users import User
from app.services.errors import DomainError
from app.services.storage import quota as storage_quota
from app.services.storage.sizes import describe_size
from app.services.storage.store import Storage, StorageError, new_key, resolve
from app.services.storage.transactions import delete_quietly, discard_on_rollback

CHUNK = 64 * 1024
MAX_FILENAME = 150
STORAGE_KEY = re.compile(r"[0-9a-f]{40}")
# Zip container members we read to tell documents apart; larger ones are not documents.
MAX_MANIFEST_BYTES = 1024 * 1024

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names inside an OLE compound file, stored as UTF-16LE in its directory.
OLE_STREAMS = {
    "application/msword": "WordDocument".encode("utf-16-le"),
    "application/vnd.ms-excel": "Workbook".encode("utf-16-le"),
}
OOXML_MAIN_PARTS = {
    b"wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    b"spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
ODF_TYPES = (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
)
# Markup a browser would act on, anywhere in a text file: an HTML tokenizer starts a tag at
# "<" followed directly by a name, so "<html" counts and "< html" does not. Scanning
# only the start let a leading comment or blank lines hide a page.
MARKUP = re.compile(
    r"<(?:!doctype|\?xml|/?(?:html|head|body|script|svg|math|iframe|frame|object|embed"
    r"|meta|link|style|base|form|img)\b)",
    re.IGNORECASE,
)
MARKUP_OVERLAP = 16  # characters kept between chunks, so a tag split across two is found

# Accepted types and the extensions each may be named with (the first is canonical).
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "text/plain": (".txt", ".text", ".md", ".csv"),
}
ACCEPTED_DESCRIPTION = (
    "PDF, PNG, JPEG or GIF images, Word, Excel or OpenDocument files, or plain text"
)


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    sha256: str
    size_bytes: int
    media_type: str


def stored_path(upload_dir: str | Path, storage_key: str) -> Path:
    """Where a key's file lives in a local folder; refuses anything but a generated key.

    Only for a local folder: code that must work on any backend uses the storage
    (`app.services.storage.current_storage()`).
    """
    if not STORAGE_KEY.fullmatch(storage_key):
        raise ValueError("not a storage key")
    return Path(upload_dir) / storage_key[:2] / storage_key


def safe_filename(name: str, media_type: str) -> str:
    """A name safe for a download: no directories or control characters, a fitting extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"|?*;]', "", base)
    base = re.sub(r"\s+", " ", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    extensions = EXTENSIONS[media_type]
    if not dot or f".{ext.lower()}" not in extensions:
        stem, ext = base, extensions[0][1:]
    stem = stem.strip(" .")[: MAX_FILENAME - len(ext) - 1].rstrip(" .") or "attachment"
    return f"{stem}.{ext.lower()}"


def _extension(name: str) -> str | None:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and stem.strip(" .") else None


def _zip_type(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                member = archive.getinfo("mimetype")
                if member.file_size <= 200:
                    declared = archive.read(member).decode("ascii", "replace").strip()
                    return declared if declared in ODF_TYPES else None
            if "[Content_Types].xml" in names:
                member = archive.getinfo("[Content_Types].xml")
                if member.file_size <= MAX_MANIFEST_BYTES:
                    manifest = archive.read(member)
                    for marker, media_type in OOXML_MAIN_PARTS.items():
                        if marker in manifest:
                            return media_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return None
    return None


def _chunks(path: Path, overlap: int = 0):
    """The file in chunks, each starting with the last `overlap` bytes of the one before."""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield tail + chunk
            tail = (tail + chunk)[-overlap:] if overlap else b""


def _ole_type(path: Path) -> str | None:
    longest = max(len(name) for name in OLE_STREAMS.values())
    for chunk in _chunks(path, overlap=longest):
        for media_type, stream_name in OLE_STREAMS.items():
            if stream_name in chunk:
                return media_type
    return None


def _text_type(path: Path) -> str | None:
    """Plain text: UTF-8 without NUL bytes and without markup anywhere in the file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = ""
    try:
        for chunk in _chunks(path):
            if b"\x00" in chunk:
                return None
            text = tail + decoder.decode(chunk)
            if MARKUP.search(text):
                return None
            tail = text[-MARKUP_OVERLAP:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return "text/plain"


def sniff_media_type(path: Path) -> str | None:
    """The file's type from its content, or None when it is not one we accept."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    if head.startswith(OLE_HEADER):
        return _ole_type(path)
    return _text_type(path)


def _spool(stream: BinaryIO, spool: BinaryIO, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise DomainError(f"The file must be {describe_size(max_bytes)} or smaller", "file")
        digest.update(chunk)
        spool.write(chunk)
    spool.flush()
    return digest.hexdigest(), size


def _check_type(path: Path, filename: str) -> str:
    media_type = sniff_media_type(path)
    if media_type is None:
        raise DomainError(
            f"This type of file cannot be attached. Attach {ACCEPTED_DESCRIPTION}", "file"
        )
    extension = _extension(filename)
    if extension is not None and extension not in EXTENSIONS[media_type]:
        raise DomainError(
            f"The file's name ends {extension} but its content is not that type of file",
            "file",
        )
    return media_type


def store_file(
    stream: BinaryIO,
    filename: str,
    *,
    upload_dir: Storage | str | Path | None = None,
    max_bytes: int,
) -> StoredFile:
    """Store an upload under a new key, checking size and type; on failure nothing is kept.

    `upload_dir` is where: a storage, a folder, or None for the app's storage (see
    `app.services.storage.store`). The upload is checked in a private temporary file
    first, so the store only ever receives a file that passed.
    """
    storage = resolve(upload_dir)
    with tempfile.NamedTemporaryFile(prefix="pcpt-upload-") as spool:
        sha256, size = _spool(stream, spool, max_bytes)
        if size == 0:
            raise DomainError("The file is empty", "file")
        media_type = _check_type(Path(spool.name), filename)
        spool.seek(0)
        storage_key = new_key()
        try:
            storage.put(storage_key, spool)
        except StorageError:
            raise DomainError(
                "The file could not be stored just now. Try again in a few minutes", "file"
            ) from None
    return StoredFile(storage_key, sha256, size, media_type)


def remove_stored(upload_dir: Storage | str | Path | None, storage_key: str) -> None:
    """Delete a stored file; call after the transaction that dropped its row commits
    (or use `app.services.storage.remove_after_commit`, which waits for the commit)."""
    delete_quietly(resolve(upload_dir), storage_key)


def store_upload(
    evidence: Evidence,
    stream: BinaryIO,
    filename: str,
    *,
    version_number: int,
    upload_dir: Storage | str | Path | None = None,
    max_bytes: int,
    actor: User | None = None,
) -> Attachment:
    """Store a file and add its Attachment row to `evidence` (flushed, not committed).

    The file counts against the trainee's storage quota; one that does not fit is refused
    and deleted at once. Use `app.services.portfolio.evidence.add_attachment`, which also versions
    and audits the change.
    """
    storage = resolve(upload_dir)
    stored = store_file(stream, filename, upload_dir=storage, max_bytes=max_bytes)
    discard_on_rollback(storage, stored.storage_key)
    try:
        storage_quota.check_room(evidence.enrolment.trainee_id, stored.size_bytes)
    except BaseException:
        remove_stored(storage, stored.storage_key)
        raise
    attachment = Attachment(
        evidence=evidence,
        version_number=version_number,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        media_type=stored.media_type,
        storage_key=stored.storage_key,
        original_filename=safe_filename(filename, stored.media_type),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment
