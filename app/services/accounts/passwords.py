"""Password rules and hashing (argon2id)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.services.errors import DomainError

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache  # saves an argon2 hash per unknown e-mail, which would make those sign-ins slower
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both paths cost one verification."""
    return _hasher.hash("an unused password to keep timing even")


@cache  # saves reading and parsing the common-password file on every password check
def _common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def check_password_rules(password: str) -> None:
    """Length and common-password checks only: composition rules make passwords worse."""
    if len(password) < MIN_LENGTH:
        raise DomainError(f"Password must be at least {MIN_LENGTH} characters", "password")
    if len(password) > MAX_LENGTH:
        raise DomainError(f"Password must be {MAX_LENGTH} characters or fewer", "password")
    if password.lower() in _common_passwords():
        raise DomainError("This password is too common. Choose a less predictable one", "password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
