"""The one exception services raise for input a person can correct."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change; `field` names the form field at fault, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The named record does not exist (or is not visible to this user)."""
