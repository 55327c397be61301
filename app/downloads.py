"""Every file the service hands out, through one helper, so each carries the same headers.

A download is saved, never shown: `Content-Disposition: attachment`; the browser may not
guess another type (`nosniff`); if something renders it anyway, `Content-Security-Policy:
sandbox` gives it no scripts, forms or origin; and it is personal, so neither the browser
nor anything between keeps a copy (`Cache-Control: private, no-store`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from typing import BinaryIO
from urllib.parse import quote

from flask import Response, abort

from app.services.portfolio.csv_attachments import is_csv_name, spreadsheet_safe
from app.services.storage import InvalidKey, StoredFileMissing, current_storage
from app.services.storage.store import CHUNK

DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
DOWNLOAD_CACHE_CONTROL = "private, no-store"


def download(body: Iterable[bytes] | bytes, media_type: str, filename: str) -> Response:
    """A file as an attachment named `filename`; `body` may stream.

    `media_type` is the bare type ("text/csv"): text types get `charset=utf-8` added once.
    """
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = _disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = DOWNLOAD_CACHE_CONTROL
    return response


def stored_download(storage_key: str, media_type: str, filename: str) -> Response:
    """An uploaded file (attachment, certificate, letter) from storage; 404 when it is gone.

    The file streams from the storage (a local folder or an object store) in chunks; the
    stream reads nothing from the database, so it does not matter that the request's
    session has ended by then, and it is closed when the response is. A store that does not
    answer raises StorageUnavailable, which app.errors answers with a 503 page. A CSV is
    read whole (uploads are capped by MAX_UPLOAD_BYTES) so its formula cells can be
    neutralised in the copy sent: see `csv_attachments`.
    """
    try:
        handle = current_storage().open(storage_key)
    except (StoredFileMissing, InvalidKey):
        abort(404)
    if is_csv_name(filename):
        with handle:
            content, filename = spreadsheet_safe(handle.read(), filename)
        return download(content, media_type, filename)
    return download(_streamed(handle), media_type, filename)


def _streamed(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def _disposition(filename: str) -> str:
    """`attachment` with the name quoted, plus RFC 6266's `filename*` when it is not ASCII."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
        encoded = quote(filename, safe="")
        return f"attachment; filename={_quoted(ascii_name)}; filename*=UTF-8''{encoded}"
    return f"attachment; filename={_quoted(filename)}"


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
