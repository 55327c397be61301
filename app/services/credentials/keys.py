"""The issuer's identity and Ed25519 keys, from configuration.

Settings:
- `CREDENTIAL_SIGNING_KEY`: the current private key, as a Multikey `secretKeyMultibase`
  (`z` + base58btc of 0x80 0x26 and the 32-byte seed;
  `python -c "from app.services.credentials.keys import new_secret; print(new_secret())"`
  prints a new one). Required in production: the app refuses to start without it. In
  development, unset, one key is generated per instance folder and kept in
  `<instance>/credential_signing_key` (mode 0600), so credentials stay verifiable across
  restarts.
- `CREDENTIAL_PREVIOUS_KEYS`: public keys (`z6Mk...`, comma-separated) of keys used
  before a rotation; they stay published so credentials they signed still verify.
- `CREDENTIAL_ISSUER_NAME`, `CREDENTIAL_ISSUER_URL`: the issuing organisation's name and
  web address in the issuer profile.

The issuer id is a `did:web` made from `BASE_URL` (see `issuer_id`); each key's
verification method is `<issuer id>#<publicKeyMultibase>`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import Flask, current_app

from app.services.credentials.multikey import (
    KeyFormatError,
    private_key_from_multikey,
    public_key_from_multikey,
    public_multikey,
    secret_multikey,
)

KEY_FILE_NAME = "credential_signing_key"


@dataclass(frozen=True)
class IssuerKey:
    """A published key: its Multikey, verification method id, and whether it signs now."""

    public_key_multibase: str
    verification_method: str
    current: bool

    @property
    def public_key(self) -> Ed25519PublicKey:
        return public_key_from_multikey(self.public_key_multibase)


def new_secret() -> str:
    """A fresh private key in the `CREDENTIAL_SIGNING_KEY` format."""
    return secret_multikey(Ed25519PrivateKey.generate())


def issuer_id(base_url: str) -> str:
    """`did:web` for BASE_URL: the host (a port percent-encoded as %3A), then any path
    segments joined by ':'. http://127.0.0.1:5000 -> did:web:127.0.0.1%3A5000;
    https://pcpt.example.nhs.uk/portfolio -> did:web:pcpt.example.nhs.uk:portfolio.
    Its DID document lives at <BASE_URL>/.well-known/did.json when BASE_URL has no path,
    else at <BASE_URL>/did.json (the did:web rule)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def did_document_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/did.json" if urlsplit(base).path else f"{base}/.well-known/did.json"


def verification_method_id(issuer: str, public_key_multibase: str) -> str:
    return f"{issuer}#{public_key_multibase}"


def _parse_previous(raw: str | tuple | list | None) -> list[str]:
    if not raw:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    keys = [item.strip() for item in items if item and item.strip()]
    for key in keys:
        public_key_from_multikey(key)  # raises KeyFormatError
    return keys


def _instance_key(key_file: Path) -> str:
    """The development key kept in the instance folder, made on first start."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        # Written to a private temporary name, then linked: a second process starting at
        # the same moment reads either no file (and makes its own link, which fails) or
        # the whole key, never half of one.
        temporary = key_file.with_name(f".{key_file.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_secret() + "\n")
        try:
            os.link(temporary, key_file)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return key_file.read_text().strip()


def init_app(app: Flask) -> None:
    """Check the key settings at start; stop with the reason when they are unusable.

    Development without a key gets one generated in the instance folder."""
    raw = (app.config.get("CREDENTIAL_SIGNING_KEY") or "").strip()
    if not raw:
        if app.config.get("ENV_NAME") == "production":
            raise SystemExit(
                "CREDENTIAL_SIGNING_KEY must be set in production (an Ed25519 Multikey "
                "secret key, z...); see app/services/credentials/keys.py"
            )
        if app.config.get("ENV_NAME") == "testing" and not app.config.get("CREDENTIAL_KEY_FILE"):
            # Each test app signs with its own key, kept in memory only.
            app.config["CREDENTIAL_SIGNING_KEY"] = new_secret()
            raw = app.config["CREDENTIAL_SIGNING_KEY"]
    if not raw:
        configured = app.config.get("CREDENTIAL_KEY_FILE")
        key_file = Path(configured) if configured else Path(app.instance_path) / KEY_FILE_NAME
        raw = _instance_key(key_file)
        app.config["CREDENTIAL_SIGNING_KEY"] = raw
    try:
        private_key_from_multikey(raw)
    except KeyFormatError as error:
        raise SystemExit(f"CREDENTIAL_SIGNING_KEY is not usable: {error}") from None
    try:
        app.config["CREDENTIAL_PREVIOUS_KEYS"] = _parse_previous(
            app.config.get("CREDENTIAL_PREVIOUS_KEYS")
        )
    except KeyFormatError as error:
        raise SystemExit(f"CREDENTIAL_PREVIOUS_KEYS is not usable: {error}") from None


def signing_key() -> Ed25519PrivateKey:
    return private_key_from_multikey(current_app.config["CREDENTIAL_SIGNING_KEY"])


def current_issuer_id() -> str:
    return issuer_id(current_app.config["BASE_URL"])


def issuer_keys() -> list[IssuerKey]:
    """The keys to publish: the current one first, then every previous one."""
    issuer = current_issuer_id()
    current = public_multikey(signing_key().public_key())
    keys = [IssuerKey(current, verification_method_id(issuer, current), True)]
    for previous in _parse_previous(current_app.config.get("CREDENTIAL_PREVIOUS_KEYS")):
        if previous != current:
            keys.append(IssuerKey(previous, verification_method_id(issuer, previous), False))
    return keys


def trusted_key(verification_method: str) -> Ed25519PublicKey | None:
    """The published key a verification method id names, or None (for `check_proof`)."""
    for key in issuer_keys():
        if key.verification_method == verification_method:
            return key.public_key
    return None
