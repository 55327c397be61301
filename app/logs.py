"""Structured logs: one JSON object a line, in UTC, with no secrets or evidence text."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime

from flask import Flask, request


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = getattr(record, "context", None)
        if context:
            entry.update(context)
        if record.exc_info:
            exc_type, _, tb = record.exc_info
            entry["error"] = exc_type.__name__ if exc_type else None
            # Frames only (file, line, function): exception messages may quote user input.
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, ensure_ascii=False)


def loggable_path() -> str:
    """The request's path with any one-time token in it blanked: a link from an e-mail
    (an invitation, a password reset) must not be usable by whoever reads the logs."""
    path = request.path
    token = (request.view_args or {}).get("token")
    if isinstance(token, str) and token:
        path = path.replace(token, "[token]")
    return path


def configure_logging(app: Flask) -> None:
    if app.testing:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False
