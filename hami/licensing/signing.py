"""Signed marks: the QR payload of a licence, signed with the issuing office's Ed25519 key. No Django.

A payload is three dot-separated parts, `HAMI1.<claims>.<signature>`, the last two in base64url
without padding. The claims are compact JSON: tracking code `t`, unit name `u` and national ID `n`,
product `p`, brand `b`, standard `s`, expiry `e` (ISO date) and key id `k`. The signature covers
the bytes `HAMI1.<claims>` exactly as printed, so any changed byte fails it. Anyone with the public
keys (exported as JSON by `manage.py signing_keys export`) can check a mark offline.
"""

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "HAMI1"
CLAIMS = ("t", "u", "n", "p", "b", "s", "e", "k")


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"  # signature good, past the expiry date it carries
    TAMPERED = "tampered"  # well formed, but the signature does not match its content
    UNKNOWN_KEY = "unknown_key"  # signed with a key that is not among the known public keys
    MALFORMED = "malformed"  # truncated, foreign (not a Hami mark) or not decodable


# Exit codes of `manage.py verify_mark` (2 is argparse's own for a wrong command line).
EXIT_CODES = {
    Verdict.VALID: 0,
    Verdict.MALFORMED: 1,
    Verdict.TAMPERED: 3,
    Verdict.UNKNOWN_KEY: 4,
    Verdict.EXPIRED: 5,
}


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    claims: dict | None = None


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claims: dict, private_key: Ed25519PrivateKey) -> str:
    missing = set(CLAIMS) - set(claims)
    if missing:
        raise ValueError(f"claims missing: {sorted(missing)}")
    body = _b64e(
        json.dumps({k: claims[k] for k in CLAIMS}, ensure_ascii=False, separators=(",", ":")).encode()
    )
    signed = f"{PREFIX}.{body}"
    return f"{signed}.{_b64e(private_key.sign(signed.encode('ascii')))}"


def verify(payload: str, public_keys: dict[str, Ed25519PublicKey], *, today: dt.date) -> Result:
    """Check a payload against known public keys (by key id). Never raises for any input text."""
    parts = (payload or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return Result(Verdict.MALFORMED)
    try:
        claims = json.loads(_b64d(parts[1]))
        signature = _b64d(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return Result(Verdict.MALFORMED)
    if not isinstance(claims, dict) or set(claims) != set(CLAIMS) or len(signature) != 64:
        return Result(Verdict.MALFORMED)
    if _b64e(signature) != parts[2]:
        # base64 lets the last character's spare bits vary; only the canonical text is the mark.
        return Result(Verdict.TAMPERED, claims)
    key = public_keys.get(str(claims["k"]))
    if key is None:
        return Result(Verdict.UNKNOWN_KEY, claims)
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        return Result(Verdict.TAMPERED, claims)
    try:
        expires = dt.date.fromisoformat(str(claims["e"]))
    except ValueError:
        return Result(Verdict.MALFORMED, claims)
    return Result(Verdict.EXPIRED if expires < today else Verdict.VALID, claims)


def public_key_text(key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _b64e(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_b64d(text))


def load_public_keys(document: dict) -> dict[str, Ed25519PublicKey]:
    """Keys from the exported JSON: {"keys": [{"kid": ..., "public_key": ...}, ...]}."""
    return {item["kid"]: public_key_from_text(item["public_key"]) for item in document["keys"]}
