"""Complaints anyone files about a product from the public verification page; supervision triages them."""

from django.db import transaction
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import HamiError
from hami.core.models import EventType
from hami.core.persian import normalize_text
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import Complaint, Licence


@transaction.atomic
def complaint_file(*, licence: Licence | None, tracking_code: str, text: str, contact: str = "") -> Complaint:
    """Store a public complaint (no account needed). Raises HamiError(INVALID) for an empty or huge text."""
    text = normalize_text(text or "")
    if len(text) < 10:
        raise HamiError(LicensingErrorCode.INVALID, _("Describe the problem in a few words."), field="text")
    if len(text) > 4000:
        raise HamiError(
            LicensingErrorCode.INVALID, _("Keep the description under 4,000 characters."), field="text"
        )
    complaint = Complaint.objects.create(
        licence=licence,
        tracking_code=(licence.tracking_code if licence else normalize_text(tracking_code))[:40],
        province=licence.province if licence else None,
        text=text,
        contact=normalize_text(contact or "")[:200],
    )
    audit(
        actor=None,
        event_type=EventType.COMPLAINT_FILED,
        obj=complaint,
        province=complaint.province,
        details={"tracking_code": complaint.tracking_code},
    )
    return complaint
