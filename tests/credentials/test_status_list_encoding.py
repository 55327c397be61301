"""The status list's encoding, as the W3C Bitstring Status List specification states it,
checked by decoding with the standard library alone (base64url, gzip)."""

from __future__ import annotations

import base64
import gzip

import pytest

from app.services.credentials import status_list


def _independent_bits(encoded: str) -> bytes:
    assert encoded[0] == "u"  # multibase base64url, no padding
    body = encoded[1:]
    assert "=" not in body
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_an_empty_list_is_16_kilobytes_of_zero_bits():
    bits = _independent_bits(status_list.encode_list([]))
    assert len(bits) == 16 * 1024 == status_list.LIST_BITS // 8
    assert set(bits) == {0}


@pytest.mark.parametrize(
    ("position", "byte", "value"),
    [(0, 0, 0b1000_0000), (7, 0, 0b0000_0001), (8, 1, 0b1000_0000), (131_071, 16_383, 1)],
)
def test_position_zero_is_the_first_bytes_most_significant_bit(position, byte, value):
    bits = _independent_bits(status_list.encode_list([position]))
    assert bits[byte] == value
    assert sum(bin(b).count("1") for b in bits) == 1


def test_decoding_gives_back_exactly_the_revoked_positions():
    revoked = {3, 94_567, 131_071}
    bits = status_list.decode_list(status_list.encode_list(revoked))
    found = {i for i in range(status_list.LIST_BITS) if status_list.is_set(bits, i)}
    assert found == revoked


def test_the_same_revocations_always_publish_the_same_text():
    assert status_list.encode_list([5, 9]) == status_list.encode_list([9, 5])


def test_a_position_outside_the_list_is_refused():
    with pytest.raises(ValueError, match="outside a status list"):
        status_list.encode_list([status_list.LIST_BITS])


@pytest.mark.parametrize(
    ("encoded", "problem"),
    [
        ("zABC", "must start with 'u'"),
        ("u!!!!", "not GZIP-compressed base64url"),
        ("u" + base64.urlsafe_b64encode(b"plain bytes").decode(), "not GZIP"),
        (
            "u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * 100)).decode().rstrip("="),
            "fewer than 131072",
        ),
    ],
)
def test_a_list_that_is_not_a_status_list_is_refused_with_the_reason(encoded, problem):
    with pytest.raises(status_list.BadStatusList, match=problem):
        status_list.decode_list(encoded)


def test_a_compression_bomb_is_not_inflated_beyond_a_bound():
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    encoded = "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    bits = status_list.decode_list(encoded)
    assert len(bits) <= status_list.LIST_BYTES * 64 + 1


def test_the_nth_credential_has_one_place_in_one_list():
    assert status_list.list_position(0) == (1, 0)
    assert status_list.list_position(131_071) == (1, 131_071)
    assert status_list.list_position(131_072) == (2, 0)
