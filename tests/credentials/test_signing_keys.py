"""The signing key is configuration: refused missing or malformed in production, made once
per instance folder in development, and rotated-out keys stay published."""

from __future__ import annotations

import stat

import pytest

from app import create_app
from app.services.credentials import keys
from app.services.credentials.multikey import (
    private_key_from_multikey,
    public_key_from_multikey,
    public_multikey,
)

PRODUCTION = {
    "SECRET_KEY": "a-production-secret-with-enough-variety-0123456789",
    "BASE_URL": "https://pcpt.example.nhs.uk",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
}


def test_production_refuses_to_start_without_a_signing_key():
    with pytest.raises(SystemExit) as stopped:
        create_app("production", CREDENTIAL_SIGNING_KEY="", **PRODUCTION)
    assert "CREDENTIAL_SIGNING_KEY must be set in production" in str(stopped.value)


def test_production_refuses_a_malformed_key_and_malformed_previous_keys():
    with pytest.raises(SystemExit) as stopped:
        create_app("production", CREDENTIAL_SIGNING_KEY="not-a-key", **PRODUCTION)
    assert "CREDENTIAL_SIGNING_KEY is not usable" in str(stopped.value)
    with pytest.raises(SystemExit) as stopped:
        create_app(
            "production",
            CREDENTIAL_SIGNING_KEY=keys.new_secret(),
            CREDENTIAL_PREVIOUS_KEYS="z6MkNotAKey",
            **PRODUCTION,
        )
    assert "CREDENTIAL_PREVIOUS_KEYS is not usable" in str(stopped.value)


def test_production_signs_with_the_configured_key_and_publishes_previous_ones():
    current, previous = keys.new_secret(), keys.new_secret()
    previous_public = public_multikey(private_key_from_multikey(previous).public_key())
    app = create_app(
        "production",
        CREDENTIAL_SIGNING_KEY=current,
        CREDENTIAL_PREVIOUS_KEYS=previous_public,
        **PRODUCTION,
    )
    with app.app_context():
        published = keys.issuer_keys()
        assert keys.current_issuer_id() == "did:web:pcpt.example.nhs.uk"
        assert [k.current for k in published] == [True, False]
        assert published[0].public_key_multibase == public_multikey(
            private_key_from_multikey(current).public_key()
        )
        assert published[1].public_key_multibase == previous_public
        assert published[1].verification_method == (
            f"did:web:pcpt.example.nhs.uk#{previous_public}"
        )
        assert keys.trusted_key(published[1].verification_method) is not None
        assert keys.trusted_key("did:web:elsewhere.example#" + previous_public) is None


def test_development_makes_one_key_per_instance_folder_and_keeps_it(tmp_path):
    key_file = tmp_path / "instance" / "credential_signing_key"
    first = create_app("development", CREDENTIAL_SIGNING_KEY="", CREDENTIAL_KEY_FILE=key_file)
    second = create_app("development", CREDENTIAL_SIGNING_KEY="", CREDENTIAL_KEY_FILE=key_file)
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    saved = key_file.read_text().strip()
    assert first.config["CREDENTIAL_SIGNING_KEY"] == saved
    assert second.config["CREDENTIAL_SIGNING_KEY"] == saved
    private_key_from_multikey(saved)
    other = create_app(
        "development", CREDENTIAL_SIGNING_KEY="", CREDENTIAL_KEY_FILE=tmp_path / "other" / "key"
    )
    assert other.config["CREDENTIAL_SIGNING_KEY"] != saved


@pytest.mark.parametrize(
    ("base_url", "did", "document"),
    [
        (
            "http://127.0.0.1:5000",
            "did:web:127.0.0.1%3A5000",
            "http://127.0.0.1:5000/.well-known/did.json",
        ),
        (
            "https://pcpt.example.nhs.uk/",
            "did:web:pcpt.example.nhs.uk",
            "https://pcpt.example.nhs.uk/.well-known/did.json",
        ),
        (
            "https://example.nhs.uk/pcpt",
            "did:web:example.nhs.uk:pcpt",
            "https://example.nhs.uk/pcpt/did.json",
        ),
    ],
)
def test_the_issuer_is_a_did_web_of_base_url(base_url, did, document):
    assert keys.issuer_id(base_url) == did
    assert keys.did_document_url(base_url) == document


def test_a_public_multikey_round_trips():
    key = private_key_from_multikey(keys.new_secret()).public_key()
    text = public_multikey(key)
    assert text.startswith("z6Mk")
    assert public_multikey(public_key_from_multikey(text)) == text
