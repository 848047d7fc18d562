"""Office signing keys: created, rotated and exported; private keys stored encrypted.

The private key is encrypted with Fernet under a key derived (HKDF-SHA256) from
settings.HAMI_SIGNING_SECRET, so a copy of the database alone cannot sign marks.
"""

import base64
import datetime as dt

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import HamiError
from hami.core.models import EventType, Province, User
from hami.licensing import signing
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import Licence, SigningKey


def _fernet() -> Fernet:
    secret = (settings.HAMI_SIGNING_SECRET or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hami-signing-keys", info=b"fernet").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    raw = _fernet().decrypt(key.private_key_encrypted.encode())
    return Ed25519PrivateKey.from_private_bytes(raw)


@transaction.atomic
def signing_key_rotate(*, actor: User | None, province: Province) -> SigningKey:
    """A new live key for the office; the previous one is retired but keeps verifying its marks."""
    now = timezone.now()
    previous = list(SigningKey.objects.select_for_update().filter(province=province, retired_at__isnull=True))
    for key in previous:
        key.retired_at = now
        key.save(update_fields=["retired_at", "updated_at"])
        audit(actor=actor, event_type=EventType.SIGNING_KEY_RETIRED, obj=key, province=province)
    new = Ed25519PrivateKey.generate()
    raw = new.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    key = SigningKey.objects.create(
        kid=f"{province.code}-{now:%Y%m%d%H%M%S}-{SigningKey.objects.filter(province=province).count() + 1}",
        province=province,
        public_key=signing.public_key_text(new.public_key()),
        private_key_encrypted=_fernet().encrypt(raw).decode(),
    )
    audit(
        actor=actor,
        event_type=EventType.SIGNING_KEY_CREATED,
        obj=key,
        province=province,
        details={"kid": key.kid},
    )
    return key


def live_key(province: Province) -> SigningKey:
    key = SigningKey.objects.filter(province=province, retired_at__isnull=True).first()
    if key is None:
        raise HamiError(
            LicensingErrorCode.NO_SIGNING_KEY,
            _("The office of {province} has no signing key yet.").format(province=province.name),
        )
    return key


def public_keys_document() -> dict:
    """Every key, live or retired, as exported for offline verification."""
    return {
        "format": "hami-public-keys/1",
        "keys": [
            {
                "kid": key.kid,
                "office": key.province.code,
                "algorithm": "Ed25519",
                "public_key": key.public_key,
                "created_at": key.created_at.isoformat(),
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
            }
            for key in SigningKey.objects.select_related("province").order_by("created_at", "pk")
        ],
    }


def known_public_keys() -> dict:
    return signing.load_public_keys(public_keys_document())


def mark_payload(licence: Licence) -> str:
    """The signed QR payload of a licence's current version, with its office's live key."""
    key = live_key(licence.province)
    version = licence.current
    claims = {
        "t": licence.tracking_code,
        # Names are cut to keep the QR code small enough to print and scan (signed as cut).
        "u": licence.unit.name_fa[:120],
        "n": licence.unit.national_id,
        "p": version.product_label[:120],
        "b": version.brand[:60],
        "s": licence.standard.code,
        "e": licence.expires_on.isoformat(),
        "k": key.kid,
    }
    return signing.sign(claims, private_key(key))


def verify_payload(payload: str, today: dt.date | None = None) -> signing.Result:
    return signing.verify(payload, known_public_keys(), today=today or timezone.localdate())
