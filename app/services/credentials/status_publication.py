"""The revocation status lists the service publishes, and the one rule of what is revoked.

A credential is revoked exactly when its row has `revoked_at` (`revocation.revoke` sets
it). Status list `n` is built from those rows each time it is asked for: a
`BitstringStatusListCredential` (VC 2.0 context) whose `encodedList` has bit `i` set for
every revoked credential at index `i` of list `n`, signed with the current key like any
credential. Nothing is written when it is read: its `validFrom` is when the list's first
credential was issued and its proof's `created` is the list's last change, so the same
revocations always publish the same document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models.credentials import IssuedCredential
from app.services.credentials import keys, proofs, status_list
from app.services.credentials.issuing import status_list_url
from app.services.credentials.jsonld import VC_V2


def list_number_of(url: object) -> int | None:
    """The list number in a status list address of this service (`issuing.status_list_url`,
    the one place its shape is decided); None for any other address."""
    if not isinstance(url, str):
        return None
    number = url.rpartition("/")[2]
    if number.isdigit() and len(number) < 10 and status_list_url(int(number)) == url:
        return int(number)
    return None


def revoked_positions(list_number: int) -> list[int]:
    return list(
        db.session.scalars(
            select(IssuedCredential.status_list_index).where(
                IssuedCredential.status_list == list_number,
                IssuedCredential.revoked_at.is_not(None),
            )
        )
    )


def _list_dates(list_number: int) -> tuple[datetime, datetime] | None:
    """(first issued, last changed) for the list, or None when no credential is in it."""
    first, last_issued, last_revoked = db.session.execute(
        select(
            func.min(IssuedCredential.issued_at),
            func.max(IssuedCredential.issued_at),
            func.max(IssuedCredential.revoked_at),
        ).where(IssuedCredential.status_list == list_number)
    ).one()
    if first is None:
        return None
    return first, max(last_issued, last_revoked or last_issued)


def status_list_credential(list_number: int) -> dict[str, Any] | None:
    """The signed `BitstringStatusListCredential` for list `list_number`; None if no
    credential was ever given a place in it."""
    dates = _list_dates(list_number)
    if dates is None:
        return None
    first_issued, last_changed = dates
    url = status_list_url(list_number)
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.current_issuer_id(),
        "validFrom": proofs.xsd_datetime(first_issued),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.STATUS_PURPOSE,
            "encodedList": status_list.encode_list(revoked_positions(list_number)),
        },
    }
    current = keys.issuer_keys()[0]
    return proofs.add_proof(document, keys.signing_key(), current.verification_method, last_changed)


def credential_at(list_number: int, index: int) -> IssuedCredential | None:
    """The credential this service gave place `index` of list `list_number`, if any."""
    return db.session.scalar(
        select(IssuedCredential).where(
            IssuedCredential.status_list == list_number,
            IssuedCredential.status_list_index == index,
        )
    )
