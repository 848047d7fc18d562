"""What people type into the outreach services, cleaned one way: names, reasons and notes; a choice
among a TextChoices; where something takes place (a venue in person, a link online). Each refusal is a
HamiError(INVALID) naming the field.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from hami.core.errors import HamiError
from hami.core.persian import normalize_text
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import Mode

MAX_VENUE = 300  # Slot.venue, Meeting.venue
MAX_LINK = 200  # URLField's default max_length


def clean_text(
    value: str | None, *, limit: int, field: str, required: str | None = None, multiline: bool = False
) -> str:
    """Normalized text (line by line when `multiline`, at most one empty line in a row); HamiError(INVALID)
    when empty and `required` (its message) or longer than `limit`."""
    if multiline:
        lines = [normalize_text(line) for line in str(value or "").splitlines()]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = normalize_text(str(value or ""))
    if required and not text:
        raise HamiError(Code.INVALID, required, field=field)
    if len(text) > limit:
        raise HamiError(
            Code.INVALID,
            _("Write at most {limit} characters.").format(limit=limit),
            field=field,
        )
    return text


def clean_choice(value, choices: type[TextChoices], *, field: str, message: str) -> str:
    """`value` if it is one of `choices`, else HamiError(INVALID) with `message`."""
    if value not in choices.values:
        raise HamiError(Code.INVALID, message, field=field)
    return value


def clean_place(mode: str, venue: str | None, link: str | None) -> tuple[str, str]:
    """(venue, link) of something held in person (a venue, no link) or online (an http(s) link, no
    venue). Raises HamiError(INVALID) on the mode, the missing venue or a missing or malformed link."""
    mode = clean_choice(mode, Mode, field="mode", message=_("Choose in person or online."))
    venue = clean_text(venue, limit=MAX_VENUE, field="venue")
    link = (link or "").strip()
    if mode == Mode.IN_PERSON:
        if not venue:
            raise HamiError(Code.INVALID, _("Write where the session takes place."), field="venue")
        return venue, ""
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError as exc:
        raise HamiError(
            Code.INVALID, _("Give the link of the online session (https://…)."), field="link"
        ) from exc
    if len(link) > MAX_LINK:
        raise HamiError(Code.INVALID, _("The link is too long."), field="link")
    return "", link
