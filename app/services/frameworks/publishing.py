"""Publishing a framework version from the pages: upload, preview, confirm.

- An uploaded file goes through the checks `frameworks validate` makes (each problem as
  `FILE:LINE: message`), its crosswalk against what is imported included. A file with a
  problem is not kept and nothing is imported.
- A version already imported with the same content is named and nothing is kept; the
  same id and version with different content is refused in the words of
  `frameworks import`.
- A file that passes is kept (`FrameworkUpload`) for its preview: the version's tree and
  the diff against the version it follows, or the latest imported version of its id.
- Publishing is a separate step: the kept file is checked again and imported by the same
  service as `frameworks import`, under the upload's row lock, so two people publishing
  the same upload at once import it once.
- Only an administrator marks a provisional version as published.

Services flush and audit; the views commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.framework_publishing import FrameworkUpload
from app.models.frameworks import Framework
from app.models.users import User
from app.services.audit import chain as audit
from app.services.errors import DomainError, NotFound
from app.services.frameworks import catalogue
from app.services.frameworks.crosswalk import CrosswalkRefused, crosswalk_problems
from app.services.frameworks.framework_spec import FrameworkSpec
from app.services.frameworks.validation import (
    MAX_FRAMEWORK_BYTES,
    ValidationResult,
    format_problems,
    validate_framework_bytes,
)
from app.services.frameworks.version_diff import (
    VersionDiff,
    diff_versions,
    view_of_framework,
    view_of_spec,
)

ONLY_ADMINS = (
    "Only an administrator can mark a framework version as published. Ask an administrator "
    "to check the version and mark it."
)
DEFAULT_FILE_NAME = "framework.yaml"


@dataclass
class UploadCheck:
    """What became of an uploaded file: its problems, or the upload kept for the preview,
    or the version already imported with the same content."""

    file_name: str
    problems: list[str]
    upload: FrameworkUpload | None = None
    identical: Framework | None = None


@dataclass
class UploadPreview:
    upload: FrameworkUpload
    spec: FrameworkSpec | None
    problems: list[str]
    baseline: Framework | None
    diff: VersionDiff | None
    identical: Framework | None  # imported since the upload, with the same content

    @property
    def publishable(self) -> bool:
        return self.upload.published_at is None and not self.problems and self.identical is None


def clean_file_name(name: str | None) -> str:
    """The uploaded file's own name, without any folders, printable, at most 200 characters."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    printable = "".join(ch for ch in base if ch.isprintable()).strip()
    return printable[:200] or DEFAULT_FILE_NAME


def _check(file_name: str, raw: bytes) -> tuple[list[str], ValidationResult]:
    """Every problem `frameworks validate` reports, as `FILE:LINE: message`."""
    result = validate_framework_bytes(raw)
    if result.spec is not None and result.spec.follows is not None:
        result.problems = crosswalk_problems(result.spec)
    return format_problems(file_name, result.problems), result


def _imported(file_name: str, result: ValidationResult) -> tuple[list[str], Framework | None]:
    try:
        return [], catalogue.already_imported(result.spec, result.sha256)
    except catalogue.ImportConflict as conflict:
        return [f"{file_name}: {conflict}"], None


def receive_upload(file_name: str | None, raw: bytes, *, actor: User) -> UploadCheck:
    """Check an uploaded file; keep it for its preview only when it passes and is new."""
    name = clean_file_name(file_name)
    problems, result = _check(name, raw[: MAX_FRAMEWORK_BYTES + 1])
    if problems:
        return UploadCheck(name, problems)
    problems, identical = _imported(name, result)
    if problems or identical is not None:
        return UploadCheck(name, problems, identical=identical)
    waiting = db.session.scalar(
        select(FrameworkUpload)
        .where(FrameworkUpload.sha256 == result.sha256, FrameworkUpload.published_at.is_(None))
        .order_by(FrameworkUpload.id)
        .limit(1)
    )
    if waiting is not None:  # the same file, already waiting to be published
        return UploadCheck(name, [], upload=waiting)
    upload = FrameworkUpload(
        file_name=name,
        yaml_text=raw.decode("utf-8"),
        sha256=result.sha256,
        framework_code=result.spec.id,
        framework_version=result.spec.version,
        uploaded_by_id=actor.id,
    )
    db.session.add(upload)
    db.session.flush()
    audit.record(
        "framework.uploaded",
        "framework_upload",
        upload.id,
        actor=actor,
        data={"code": result.spec.id, "version": result.spec.version, "sha256": result.sha256},
    )
    return UploadCheck(name, [], upload=upload)


def waiting_uploads(limit: int = 20) -> list[FrameworkUpload]:
    """Files checked and kept but not yet published, newest first, with who uploaded them."""
    return list(
        db.session.scalars(
            select(FrameworkUpload)
            .where(FrameworkUpload.published_at.is_(None))
            .options(joinedload(FrameworkUpload.uploaded_by))
            .order_by(FrameworkUpload.uploaded_at.desc(), FrameworkUpload.id.desc())
            .limit(limit)
        )
    )


def baseline_of(spec: FrameworkSpec) -> Framework | None:
    """The version the diff compares with: the one followed, or the latest of the id."""
    if spec.follows is not None:
        return catalogue.find_framework(spec.id, spec.follows)
    return db.session.scalar(
        select(Framework)
        .where(Framework.code == spec.id, Framework.version != spec.version)
        .order_by(Framework.imported_at.desc(), Framework.id.desc())
        .limit(1)
    )


def get_upload(upload_id: int) -> FrameworkUpload:
    upload = db.session.get(FrameworkUpload, upload_id)
    if upload is None:
        raise NotFound("That upload does not exist")
    return upload


def preview_upload(upload_id: int) -> UploadPreview:
    """The kept file checked again, with the diff against its baseline."""
    upload = get_upload(upload_id)
    problems, result = _check(upload.file_name, upload.yaml_text.encode("utf-8"))
    spec = result.spec if not problems else None
    baseline = diff = identical = None
    if spec is not None:
        if upload.published_at is None:
            problems, identical = _imported(upload.file_name, result)
        baseline = baseline_of(spec)
        if baseline is not None:
            tree = catalogue.load_framework_tree(baseline.id)
            diff = diff_versions(view_of_framework(tree), view_of_spec(spec), spec)
    return UploadPreview(upload, spec, problems, baseline, diff, identical)


def _lock_upload(upload_id: int) -> FrameworkUpload:
    upload = db.session.scalar(
        select(FrameworkUpload)
        .where(FrameworkUpload.id == upload_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if upload is None:
        raise NotFound("That upload does not exist")
    return upload


def publish_upload(upload_id: int, *, actor: User) -> Framework:
    """Import the kept file as `frameworks import` would, once; the import is audited."""
    upload = _lock_upload(upload_id)
    label = f"{upload.framework_code} version {upload.framework_version}"
    if upload.published_at is not None:
        raise DomainError(f"{label} from this file is already published; nothing changed")
    problems, result = _check(upload.file_name, upload.yaml_text.encode("utf-8"))
    if problems:
        raise DomainError(f"Nothing was published: {problems[0]}")
    try:
        outcome, framework = catalogue.import_framework(result.spec, result.sha256, actor=actor)
    except catalogue.ImportConflict as conflict:
        raise DomainError(f"Nothing was published: {conflict}") from None
    except CrosswalkRefused as refused:
        first = format_problems(upload.file_name, refused.problems)[0]
        raise DomainError(f"Nothing was published: {first}") from None
    if outcome is catalogue.ImportOutcome.UNCHANGED:
        raise DomainError(f"{label} is already imported with identical content; nothing to do")
    upload.published_at = utcnow()
    upload.published_by_id = actor.id
    upload.framework_id = framework.id
    db.session.flush()
    return framework


# --- Provisional to published -----------------------------------------------------------


def may_mark_published(status: str, actor: User) -> bool:
    return status == "provisional" and actor.has_role("admin")


def find_version(code: str, version: str) -> Framework:
    framework = catalogue.find_framework(code, version)
    if framework is None:
        raise NotFound("That framework version does not exist")
    return framework


def mark_published(code: str, version: str, *, actor: User) -> Framework:
    """An administrator marks a provisional version as published (one audit event)."""
    if not actor.has_role("admin"):
        raise DomainError(ONLY_ADMINS)
    framework = db.session.scalar(
        select(Framework)
        .where(Framework.code == code, Framework.version == version)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if framework is None:
        raise NotFound("That framework version does not exist")
    if framework.status != "provisional":
        raise DomainError(f"{code} version {version} is already published; nothing changed")
    framework.status = "published"
    db.session.flush()
    audit.record(
        "framework.marked_published",
        "framework",
        framework.id,
        actor=actor,
        data={"code": code, "version": version, "from": "provisional", "to": "published"},
    )
    return framework
