"""The pure modules: tracking codes and signed marks (no database)."""

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hami.licensing import signing
from hami.licensing.tracking import clean_tracking_code, is_valid_verhoeff, new_tracking_code

TODAY = dt.date(2026, 11, 28)
CLAIMS = {
    "t": "1234567890", "u": "صنایع کیمیا", "n": "10380284790", "p": "شیر پاستوریزه", "b": "مهر",
    "s": "INSO 93:2020", "e": "2028-01-01", "k": "qazvin-1",
}  # fmt: skip


def test_new_codes_are_ten_digits_with_a_valid_check_digit_and_do_not_repeat():
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 10 and c[0] != "0" and is_valid_verhoeff(c) for c in codes)


def test_every_single_digit_error_and_adjacent_swap_is_caught():
    code = new_tracking_code()
    for i in range(10):
        for d in "0123456789":
            if d != code[i]:
                assert not is_valid_verhoeff(code[:i] + d + code[i + 1 :])
    for i in range(9):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        if swapped != code:
            assert not is_valid_verhoeff(swapped)


def test_typed_codes_are_cleaned():
    code = new_tracking_code()
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert clean_tracking_code(f" {persian[:5]}-{persian[5:]} ") == code
    assert clean_tracking_code("12345") is None and clean_tracking_code("abc") is None
    assert clean_tracking_code("") is None


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def test_signed_payload_verifies(key):
    payload = signing.sign(CLAIMS, key)
    result = signing.verify(payload, {"qazvin-1": key.public_key()}, today=TODAY)
    assert result.verdict == signing.Verdict.VALID and result.claims["u"] == "صنایع کیمیا"


def test_one_flipped_byte_anywhere_is_tampered_or_malformed(key):
    payload = signing.sign(CLAIMS, key)
    keys = {"qazvin-1": key.public_key()}
    for i in range(len("HAMI1."), len(payload)):
        if payload[i] == ".":
            continue
        flipped = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1 :]
        assert signing.verify(flipped, keys, today=TODAY).verdict in {
            signing.Verdict.TAMPERED,
            signing.Verdict.MALFORMED,
            signing.Verdict.UNKNOWN_KEY,
        }, i


def test_content_changed_and_resigned_with_another_key_is_tampered(key):
    forged = signing.sign(CLAIMS | {"e": "2099-01-01"}, Ed25519PrivateKey.generate())
    assert (
        signing.verify(forged, {"qazvin-1": key.public_key()}, today=TODAY).verdict
        == signing.Verdict.TAMPERED
    )


def test_unknown_key_expired_truncated_and_foreign(key):
    payload = signing.sign(CLAIMS, key)
    assert signing.verify(payload, {}, today=TODAY).verdict == signing.Verdict.UNKNOWN_KEY
    later = dt.date(2028, 1, 2)
    assert (
        signing.verify(payload, {"qazvin-1": key.public_key()}, today=later).verdict
        == signing.Verdict.EXPIRED
    )
    keys = {"qazvin-1": key.public_key()}
    assert signing.verify(payload[:-10], keys, today=TODAY).verdict == signing.Verdict.MALFORMED
    for foreign in ("", "https://example.org/x", "HAMI1..", "HAMI2.a.b", "\x00" * 50, "HAMI1.!!!.###"):
        assert signing.verify(foreign, keys, today=TODAY).verdict == signing.Verdict.MALFORMED


def test_public_keys_round_trip_through_text(key):
    text = signing.public_key_text(key.public_key())
    keys = signing.load_public_keys({"keys": [{"kid": "qazvin-1", "public_key": text}]})
    assert signing.verify(signing.sign(CLAIMS, key), keys, today=TODAY).verdict == signing.Verdict.VALID
