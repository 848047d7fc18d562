"""Complaints about a product: filed by anyone from the public verification page (no account), or by a
standards office for a complaint it took by phone, letter or visit; supervision triages them."""

from django.db import transaction
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import HamiError
from hami.core.models import EventType, Province, User
from hami.core.persian import normalize_text
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import Complaint, Licence

# The reference a complainant quotes to the office: the first hex digits of the complaint's random public
# id. Not unique by construction, but one clash in about four billion; the office search shows both.
REFERENCE_LENGTH = 8


def complaint_reference(complaint: Complaint) -> str:
    """The short reference of a complaint, as shown to the complainant (e.g. 3F9A0C12)."""
    return complaint.public_id.hex[:REFERENCE_LENGTH].upper()


@transaction.atomic
def complaint_file(
    *,
    licence: Licence | None,
    tracking_code: str,
    text: str,
    contact: str = "",
    province: Province | None = None,
    actor: User | None = None,
) -> Complaint:
    """Store a complaint. The public files it with no account (`actor` None); its province is the
    licence's, none for a code no licence has. An office filing it passes itself as `actor` and the
    province of the unit complained about. Raises HamiError(INVALID) for an empty or huge text."""
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
        province=province or (licence.province if licence else None),
        text=text,
        contact=normalize_text(contact or "")[:200],
    )
    audit(
        actor=actor,
        event_type=EventType.COMPLAINT_FILED,
        obj=complaint,
        province=complaint.province,
        details={"tracking_code": complaint.tracking_code, "by_office": actor is not None},
    )
    return complaint
