"""Error responses: NHS-style pages for people, the CONTRACT's JSON for the API.

Every error answer carries a short reference id that is also in the log line, so a
user can quote it and support can find the matching entry; internals never leak.
"""

from __future__ import annotations

import secrets

from flask import Flask, g, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, ServiceUnavailable

from app.extensions import db
from app.logs import loggable_path
from app.services.errors import DomainError

TITLES = {
    400: "There is a problem with your request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This action is not available here",
    413: "The file is too large",
    415: "This type of content is not accepted",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def _reference() -> str:
    if "error_reference" not in g:
        g.error_reference = secrets.token_hex(4).upper()
    return g.error_reference


def _json_error(code: int, name: str, message: str, fields: dict | None = None):
    body = {"error": {"code": name, "message": message, "fields": fields or {}}}
    response = jsonify(body)
    response.status_code = code
    response.headers["X-Error-Reference"] = _reference()
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pcpt"'
    return response


def _log_context() -> dict:
    user_id = current_user.get_id() if current_user and current_user.is_authenticated else None
    return {
        "reference": _reference(),
        "method": request.method,
        "path": loggable_path(),
        "user_id": user_id.split(":")[0] if user_id else None,
    }


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        return handle_unexpected(error)
    if _wants_json():
        from app.api.problems import describe

        name, message, fields = describe(error)
        response = _json_error(code, name, message, fields)
        response.headers.update(_kept_headers(error))
        return response
    title = TITLES.get(code, error.name)
    # A route may say in its own words why a role is refused (`permissions.roles`).
    refusal = getattr(error, "refusal", None)
    page = render_template(
        "errors/error.jinja", error=error, title=title, refusal=refusal, reference=_reference()
    )
    return page, code, _kept_headers(error)


def _kept_headers(error: HTTPException) -> dict[str, str]:
    """Headers the error itself carries that a client needs whatever the body: the
    methods a 405 allows, when a 429 or 503 may be retried."""
    headers = dict(error.get_headers())
    return {name: headers[name] for name in ("Allow", "Retry-After") if name in headers}


def _storage_full(error: Exception) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return isinstance(error, OperationalError) and (
        "disk is full" in text or "no space left" in text or "could not extend file" in text
    )


def _busy(error: Exception) -> bool:
    """Another writer held the lock too long (SQLite's busy timeout), or PostgreSQL chose
    this transaction to break a deadlock or a serialisation conflict."""
    text = str(getattr(error, "orig", error)).lower()
    return isinstance(error, OperationalError) and (
        "database is locked" in text
        or "deadlock detected" in text
        or "could not serialize access" in text
        or "could not obtain lock" in text
    )


def handle_busy(error: OperationalError):
    """The change lost a race for a lock: nothing was saved, and trying again will work."""
    from flask import current_app

    from app.database import set_read_only

    db.session.rollback()
    # The page only reads (who is signed in, for the header): it must not queue for the
    # write lock again. The request's teardown restores the mode.
    set_read_only(True)
    current_app.logger.warning("database busy", extra={"context": _log_context()})
    message = "The service is busy. Nothing was saved. Try again in a moment."
    if _wants_json():
        response = _json_error(503, "busy", message)
    else:
        page = render_template(
            "errors/error.jinja",
            error=ServiceUnavailable(message),
            title="The service is busy",
            reference=_reference(),
        )
        response = current_app.make_response((page, 503))
    response.headers["Retry-After"] = "5"
    return response


def handle_storage_full(error: OperationalError):
    """The database cannot grow: say so plainly; the transaction was rolled back whole."""
    from flask import current_app

    if _busy(error):
        return handle_busy(error)
    if not _storage_full(error):
        return handle_unexpected(error)
    db.session.rollback()
    current_app.logger.error("database storage full", extra={"context": _log_context()})
    message = "The service has run out of storage space. Nothing was saved. Try again later."
    if _wants_json():
        return _json_error(503, "storage_full", message)
    page = render_template(
        "errors/error.jinja",
        error=ServiceUnavailable(message),
        title="The service cannot save anything at the moment",
        reference=_reference(),
    )
    return page, 503


def handle_files_unreachable(error: Exception):
    """The file storage (a folder or an object store) did not answer: a 503 in words."""
    from flask import current_app

    db.session.rollback()
    current_app.logger.error(
        "file storage unreachable: %s", error, extra={"context": _log_context()}
    )
    message = "Files cannot be fetched or saved just now. Nothing was changed. Try again later."
    if _wants_json():
        return _json_error(503, "storage_unavailable", message)
    page = render_template(
        "errors/error.jinja",
        error=ServiceUnavailable(message),
        title="Files are not available at the moment",
        reference=_reference(),
    )
    return page, 503


def handle_refusal(error: DomainError):
    """A rule refused the request outright (someone acting as their own supervisor):
    nothing was saved; the person reads the rule's own words, in the error summary or as
    the API's error message."""
    db.session.rollback()
    if _wants_json():
        return _json_error(403, "forbidden", error.message)
    page = render_template(
        "errors/error.jinja",
        error=Forbidden(error.message),
        refusal=error.message,
        title=TITLES[403],
        reference=_reference(),
    )
    return page, 403


def handle_unexpected(error: Exception):
    from flask import current_app

    if current_app.testing and not isinstance(error, HTTPException):
        raise error  # tests should see the real fault
    db.session.rollback()
    current_app.logger.error("unhandled error", exc_info=error, extra={"context": _log_context()})
    if _wants_json():
        return _json_error(
            500, "internal_error", f"Something went wrong on our side (reference {_reference()})."
        )
    page = render_template(
        "errors/error.jinja",
        error=InternalServerError(),
        title=TITLES[500],
        reference=_reference(),
    )
    return page, 500


def register(app: Flask) -> None:
    from app.services.storage import StorageUnavailable
    from app.services.supervision.access import SelfSupervision

    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(SelfSupervision, handle_refusal)
    app.register_error_handler(OperationalError, handle_storage_full)
    app.register_error_handler(StorageUnavailable, handle_files_unreachable)
    app.register_error_handler(Exception, handle_unexpected)
