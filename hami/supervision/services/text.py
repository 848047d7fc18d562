"""What people type into the supervision services (notes, reasons, names), cleaned one way: normalized
Persian, required or not, with a length limit; each refusal is a HamiError(INVALID) naming the field."""

from django.utils.translation import gettext as _

from hami.core.errors import HamiError
from hami.core.persian import normalize_text
from hami.supervision.error_codes import SupervisionErrorCode as Code

MAX_TEXT = 4000


def clean_text(value, field: str, message: str, *, max_length: int = MAX_TEXT, required: bool = True) -> str:
    text = normalize_text(value if isinstance(value, str) else "").strip()
    if required and not text:
        raise HamiError(Code.INVALID, message, field=field)
    if len(text) > max_length:
        raise HamiError(
            Code.INVALID,
            _("At most {count} characters are accepted here.").format(count=max_length),
            field=field,
        )
    return text
