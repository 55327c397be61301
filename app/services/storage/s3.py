"""Stored files in an S3-compatible object store (`STORAGE_URL=s3://bucket/prefix`).

The endpoint and credentials come from the usual AWS variables: `AWS_ENDPOINT_URL_S3` or
`AWS_ENDPOINT_URL` (absent: Amazon S3 itself), `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`. With an endpoint of its own (MinIO, Ceph,
a test server) objects are addressed by path, which every such store understands.

A key's object is `<prefix>/<first two hex digits>/<key>`, the same layout as the local
folder. Short timeouts: a store that does not answer fails the request (and /readyz)
within seconds rather than holding a worker.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import SplitResult

from app.services.storage.store import (
    CHUNK,
    StorageConfigError,
    StorageUnavailable,
    StoredFileMissing,
    StoredFileTooLarge,
    StoredObject,
    Written,
    key_from_location,
    key_location,
)

BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
PREFIX = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 20
CHECK_TIMEOUT = 2
MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


def _endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def _unavailable(error: Exception) -> StorageUnavailable:
    """Words for an operator: what kind of failure, never a credential or a signature."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    if isinstance(error, NoCredentialsError):
        return StorageUnavailable("the object store has no credentials configured")
    if isinstance(error, EndpointConnectionError):
        return StorageUnavailable("the object store's endpoint cannot be reached")
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in {"NoSuchBucket", "404"}:
            return StorageUnavailable("the object store's bucket does not exist")
        if code in {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
            return StorageUnavailable("the object store refused this service's credentials")
        return StorageUnavailable(f"the object store answered with an error ({code})")
    return StorageUnavailable("the object store did not answer")


class _Reading:
    """An object's body as a file-like stream (read(n), close, `with`)."""

    def __init__(self, body) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        return self._body.read(None if size is None or size < 0 else size)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _Reading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Counting:
    """Wraps an upload stream: hashes and counts what boto3 reads, stopping past max_bytes."""

    def __init__(self, stream: BinaryIO, max_bytes: int | None) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(CHUNK if size is None or size < 0 else size)
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise StoredFileTooLarge(self.max_bytes)
        self.digest.update(chunk)
        return chunk


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self._clients: dict[str, object] = {}

    @classmethod
    def from_url(cls, parts: SplitResult) -> S3Storage:
        if "@" in parts.netloc or parts.query or parts.fragment:
            raise StorageConfigError(
                "STORAGE_URL must be s3://bucket/prefix only: credentials come from the "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables"
            )
        if not BUCKET.fullmatch(parts.netloc or ""):
            raise StorageConfigError("STORAGE_URL s3:// needs a valid bucket name")
        prefix = parts.path.strip("/")
        if prefix and not PREFIX.fullmatch(prefix):
            raise StorageConfigError(
                "STORAGE_URL's prefix may hold only letters, digits, '.', '_', '-' and '/'"
            )
        return cls(parts.netloc, prefix, endpoint_url=_endpoint())

    def __repr__(self) -> str:
        return f"S3Storage({self.bucket!r}, {self.prefix!r})"

    def describe(self) -> str:
        where = f"S3 bucket {self.bucket}, prefix {self.prefix or '(none)'}"
        return f"{where} at {self.endpoint_url}" if self.endpoint_url else where

    def client(self, purpose: str = "files"):
        """A boto3 client: "files" waits READ_TIMEOUT and retries; "check" answers fast."""
        if purpose not in self._clients:
            import boto3
            from botocore.config import Config

            quick = purpose == "check"
            config = Config(
                connect_timeout=CHECK_TIMEOUT if quick else CONNECT_TIMEOUT,
                read_timeout=CHECK_TIMEOUT if quick else READ_TIMEOUT,
                retries={"max_attempts": 1 if quick else 3, "mode": "standard"},
                s3={"addressing_style": "path"} if self.endpoint_url else {},
            )
            self._clients[purpose] = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, config=config
            )
        return self._clients[purpose]

    def object_name(self, key: str) -> str:
        location = key_location(key)
        return f"{self.prefix}/{location}" if self.prefix else location

    def put(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> Written:
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        counting = _Counting(stream, max_bytes)
        transfer = TransferConfig(use_threads=False, multipart_threshold=16 * 1024 * 1024)
        try:
            self.client().upload_fileobj(
                counting, self.bucket, self.object_name(key), Config=transfer
            )
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from None
        except Exception as error:  # boto3's transfer wraps what the stream raised
            cause = error if isinstance(error, StoredFileTooLarge) else error.__cause__
            if isinstance(cause, StoredFileTooLarge):
                raise cause from None
            raise
        return Written(counting.size, counting.digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            found = self.client().get_object(Bucket=self.bucket, Key=self.object_name(key))
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in MISSING_CODES:
                raise StoredFileMissing("no file is stored under this key") from None
            raise _unavailable(error) from None
        except BotoCoreError as error:
            raise _unavailable(error) from None
        return _Reading(found["Body"])  # type: ignore[return-value]

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client().delete_object(Bucket=self.bucket, Key=self.object_name(key))
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from None

    def exists(self, key: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client().head_object(Bucket=self.bucket, Key=self.object_name(key))
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in MISSING_CODES:
                return False
            raise _unavailable(error) from None
        except BotoCoreError as error:
            raise _unavailable(error) from None
        return True

    def iter_keys(self) -> Iterator[StoredObject]:
        from botocore.exceptions import BotoCoreError, ClientError

        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client().get_paginator("list_objects_v2")
        try:
            for page in pages.paginate(Bucket=self.bucket, Prefix=start):
                for item in page.get("Contents", []):
                    key = key_from_location(item["Key"][len(start) :])
                    if key is not None:
                        yield StoredObject(key, int(item["Size"]), item["LastModified"])
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from None

    def check(self) -> None:
        """The bucket answers, with this service's credentials, within CHECK_TIMEOUT."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client("check").head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from None
