"""API errors in the CONTRACT's shape: `{"error": {"code", "message", "fields"}}`.

Views raise `ApiProblem`; request parsing (webargs) raises its own errors carrying
`messages`, which `describe` flattens into `fields` keyed by field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import HTTPException

from app.services.errors import DomainError
from app.services.supervision.access import SelfSupervision

UNKNOWN_FIELD = "Unknown field."


class ApiProblem(HTTPException):
    def __init__(
        self, status: int, code: str, message: str, fields: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description=message)
        self.code = status
        self.error_code = code
        self.fields = dict(fields or {})


def refused(error: DomainError, body_fields: frozenset[str] = frozenset()) -> ApiProblem:
    """A service's refusal: 403 for someone acting as their own supervisor, 422 when a
    field of the body is at fault, else 409 (the record's state does not allow it, or
    someone changed it first)."""
    if isinstance(error, SelfSupervision):
        return ApiProblem(403, "forbidden", error.message)
    fields = getattr(error, "errors", None)
    if fields:
        return ApiProblem(422, "validation_failed", error.message, fields)
    if error.field and error.field in body_fields:
        return ApiProblem(422, "validation_failed", error.message, {error.field: error.message})
    return ApiProblem(409, "conflict", error.message)


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """{"competencies": {0: ["Not a valid string."]}} -> {"competencies.0": "Not a ..."}."""
    if isinstance(messages, Mapping):
        found: dict[str, str] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found.update(_flatten(value, name))
        return found
    if isinstance(messages, list | tuple):
        texts = [str(m) for m in messages if not isinstance(m, Mapping | list)]
        nested = [m for m in messages if isinstance(m, Mapping | list)]
        found = {prefix: " ".join(texts)} if texts else {}
        for item in nested:
            found.update(_flatten(item, prefix))
        return found
    return {prefix: str(messages)}


def _wording(text: str) -> str:
    if text == UNKNOWN_FIELD:
        return "This field is not accepted here: remove it"
    return text


def describe(error: HTTPException) -> tuple[str, str, dict[str, str]]:
    """(code, message, fields) for any HTTP error an API request raised."""
    if isinstance(error, ApiProblem):
        return error.error_code, error.description or "", error.fields
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs nests by location ("json", "query"); the field name is enough.
        by_field: dict[str, str] = {}
        for _location, found in messages.items() if isinstance(messages, Mapping) else ():
            by_field.update({k: _wording(v) for k, v in _flatten(found).items()})
        # Errors about the body as a whole (not JSON, not an object) have no field.
        whole = " ".join(filter(None, (by_field.pop(k, "") for k in ("", "_schema"))))
        code = "validation_failed" if error.code == 422 else "bad_request"
        message = whole or "Some fields are missing or not valid: see fields"
        return code, message, by_field
    name = (error.name or "error").lower().replace(" ", "_")
    return name, error.description or "", {}
