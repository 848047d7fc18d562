import datetime as dt

import jdatetime
from django import forms
from django.utils.translation import gettext_lazy as _

from hami.core.jalali import parse_jalali
from hami.core.persian import to_ascii_digits


class JalaliDateField(forms.CharField):
    """A date typed as Jalali (1405/09/10, any digit script) or ISO (2026-12-01)."""

    default_error_messages = {"invalid": _("Write the date as 1405/09/10.")}

    def to_python(self, value):
        text = to_ascii_digits(super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text) if text[:2] in ("19", "20", "21") else parse_jalali(text)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not 1950 <= day.year <= 2150:  # a typo such as 1/1/1 or 1499/01/01, not a real office date
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return day

    def prepare_value(self, value):
        """A date shown back in the form is Jalali, as the user types it."""
        if isinstance(value, dt.date):
            return jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d")
        return value


def errors_to_messages(request, form) -> None:
    """A form's errors as flash messages, for views that redirect back to the page the form sits on."""
    from django.contrib import messages

    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
