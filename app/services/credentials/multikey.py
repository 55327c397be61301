"""Multibase (base58btc, the `z` prefix) and Multikey encodings of Ed25519 keys.

- A public key is published as a Multikey `publicKeyMultibase`: `z` + base58btc of the
  multicodec prefix 0xed 0x01 (ed25519-pub) and the 32 key bytes; it always starts `z6Mk`.
- A private key (the `CREDENTIAL_SIGNING_KEY` setting) is a Multikey `secretKeyMultibase`:
  `z` + base58btc of the prefix 0x80 0x26 (ed25519-priv) and the 32-byte seed. The 64-byte
  form some libraries write (seed then public key) is accepted too.
- A proof value is `z` + base58btc of the 64 signature bytes.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


class KeyFormatError(ValueError):
    """A key or proof value is not in the expected multibase form."""


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise KeyFormatError(f"{char!r} is not a base58btc character")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise KeyFormatError("a base58btc multibase value starts with 'z'")
    return b58decode(text[1:])


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_multikey(key: Ed25519PublicKey) -> str:
    """The `publicKeyMultibase` of an Ed25519 public key (`z6Mk...`)."""
    return multibase_encode(ED25519_PUB + public_bytes(key))


def public_key_from_multikey(text: str) -> Ed25519PublicKey:
    raw = multibase_decode(text)
    if not raw.startswith(ED25519_PUB) or len(raw) != 34:
        raise KeyFormatError("not an Ed25519 Multikey public key (z6Mk...)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def secret_multikey(key: Ed25519PrivateKey) -> str:
    """The `secretKeyMultibase` form of an Ed25519 private key (its 32-byte seed)."""
    seed = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return multibase_encode(ED25519_PRIV + seed)


def private_key_from_multikey(text: str) -> Ed25519PrivateKey:
    raw = multibase_decode(text.strip())
    if not raw.startswith(ED25519_PRIV) or len(raw) not in (34, 66):
        raise KeyFormatError("not an Ed25519 Multikey secret key (z + ed25519-priv)")
    key = Ed25519PrivateKey.from_private_bytes(raw[2:34])
    if len(raw) == 66 and raw[34:] != public_bytes(key.public_key()):
        raise KeyFormatError("the secret key's public half does not match its seed")
    return key
