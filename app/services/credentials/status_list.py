"""Revocation as a W3C Bitstring Status List (Bitstring Status List v1.0).

Every credential the service issues has a place in a list: list number `n`, position
`i` (`BitstringStatusListEntry`, statusPurpose "revocation"). The list is a bitstring of
131,072 bits (16 KB, the specification's minimum, so one list says nothing about how
many credentials were issued); bit `i`, counted from the first byte's most significant
bit, is 1 when credential `i` is revoked. Published, it is GZIP-compressed and written
as multibase base64url (`u` followed by base64url without padding): the `encodedList`
of a `BitstringStatusListCredential`, which anyone can fetch and check without us.

This module only encodes and decodes; which positions are revoked comes from the
credentials table (`revocation`), and the published list is signed like any credential.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable

LIST_BITS = 131_072  # the specification's minimum length (16 KB)
LIST_BYTES = LIST_BITS // 8
STATUS_PURPOSE = "revocation"
MULTIBASE_BASE64URL = "u"
# A published list is small once compressed; refuse to inflate anything much larger.
MAX_ENCODED_CHARS = 1_000_000


class BadStatusList(ValueError):
    """An `encodedList` that is not multibase base64url of a GZIP-compressed bitstring."""


def list_position(sequence: int) -> tuple[int, int]:
    """(list number from 1, position in that list) for the `sequence`-th credential (from 0)."""
    if sequence < 0:
        raise ValueError("a credential's place in the status lists is never negative")
    return sequence // LIST_BITS + 1, sequence % LIST_BITS


def bitstring(revoked_positions: Iterable[int]) -> bytes:
    """The list's bits: position `i` is bit `7 - i % 8` of byte `i // 8`."""
    bits = bytearray(LIST_BYTES)
    for position in revoked_positions:
        if not 0 <= position < LIST_BITS:
            raise ValueError(f"position {position} is outside a status list")
        bits[position // 8] |= 0x80 >> (position % 8)
    return bytes(bits)


def encode_list(revoked_positions: Iterable[int]) -> str:
    """The `encodedList`: multibase base64url (no padding) of the GZIP-compressed bitstring."""
    # mtime=0: the same revocations always publish the same bytes.
    compressed = gzip.compress(bitstring(revoked_positions), mtime=0)
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    """The bitstring an `encodedList` holds; BadStatusList when it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith(MULTIBASE_BASE64URL):
        raise BadStatusList("the list is not multibase base64url (it must start with 'u')")
    if len(encoded) > MAX_ENCODED_CHARS:
        raise BadStatusList("the list is too long to be a status list")
    body = encoded[1:]
    try:
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        # Inflate at most one byte more than a list may hold: a compression bomb stops there.
        inflater = zlib.decompressobj(wbits=31)
        bits = inflater.decompress(compressed, LIST_BYTES * 64 + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise BadStatusList("the list is not GZIP-compressed base64url") from None
    if len(bits) < LIST_BYTES:
        raise BadStatusList(f"the list holds {len(bits) * 8} bits, fewer than {LIST_BITS}")
    return bits


def is_set(bits: bytes, position: int) -> bool:
    """Bit `position` of a decoded list; IndexError when the list is shorter."""
    if position < 0:
        raise IndexError(position)
    return bool(bits[position // 8] & (0x80 >> (position % 8)))
