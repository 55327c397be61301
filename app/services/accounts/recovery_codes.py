"""Recovery codes: ten single-use codes for signing in when the authenticator app is lost.

They are shown once, when made (at set-up, or when the person asks for new ones, which
ends the old ones); only each code's SHA-256 is kept. A code is 12 random characters
(about 59 bits) from an alphabet without look-alikes (no 0/o, 1/l/i), shown in groups of
four; hyphens, spaces and capitals are ignored when one is typed in. Using one marks it
used in one conditional UPDATE, so it works once even if sent twice at the same moment.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.two_factor import RecoveryCode
from app.models.users import User

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 12


def _digest(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def replace_all(user: User) -> list[str]:
    """Ten new codes for the person; every code they had before stops working."""
    remove_all(user)
    codes = [_new_code() for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_sha256=_digest(c)) for c in codes)
    db.session.flush()
    return codes


def remove_all(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def use(user: User, code: str) -> bool:
    """Use up one of the person's unused codes; False when `code` is not one."""
    if not code.strip() or len(code) > 40:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_sha256 == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def remaining(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
