"""Forms of the clinic pages: filters, publishing a slot, booking, the booking's moves, referrals and
advisors. They parse and check shape only; every rule is in hami/outreach/services/ (clinics.py,
bookings.py, referrals.py)."""

import datetime as dt
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hami.core.forms import JalaliDateField
from hami.core.identifiers import clean_digits
from hami.core.models import Province
from hami.core.persian import to_ascii_digits
from hami.labs.models import Lab
from hami.outreach.models import Advisor, AdvisorKind, BookingStatus, Mode, ReferralStatus, Topic


class TimeOfDayField(forms.TimeField):
    """09:30 in any digit script."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%H:%M"])
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "09:00", "dir": "ltr"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(to_ascii_digits(value or "").strip())


def _unit_by_key(units, key: str):
    """A unit among `units` by its public id (a choice in a list) or its national ID (typed)."""
    key = (key or "").strip()
    try:
        return units.filter(public_id=uuid.UUID(key)).first()
    except ValueError:
        digits = clean_digits(key)
        return units.filter(national_id=digits).first() if digits else None


class SlotFilterForm(forms.Form):
    """The filters of the calendar and the slot list (every field optional; junk is ignored)."""

    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.all(), to_field_name="code", required=False
    )
    advisor = forms.ModelChoiceField(
        label=_("Advisor"),
        queryset=Advisor.objects.filter(is_active=True),
        to_field_name="public_id",
        required=False,
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), to_field_name="code", required=False
    )
    start = JalaliDateField(label=_("From"), required=False)
    end = JalaliDateField(label=_("To"), required=False)
    open_only = forms.BooleanField(label=_("Only open slots"), required=False)


class SlotForm(forms.Form):
    advisor = forms.ModelChoiceField(
        label=_("Advisor"), queryset=Advisor.objects.none(), to_field_name="public_id"
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), to_field_name="code")
    day = JalaliDateField(label=_("Day"))
    start = TimeOfDayField(label=_("From (hour:minute)"))
    end = TimeOfDayField(label=_("To (hour:minute)"))
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    venue = forms.CharField(label=_("Venue (in person)"), max_length=300, required=False)
    link = forms.CharField(label=_("Link (online)"), max_length=200, required=False)
    weeks = forms.IntegerField(
        label=_("Repeat every week for (weeks)"), min_value=1, max_value=26, initial=1, required=False
    )

    def __init__(self, *args, advisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = advisors
        if len(advisors) == 1:
            self.fields["advisor"].initial = advisors[0].public_id

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end))
        data["weeks"] = data.get("weeks") or 1
        return data


class BookingForm(forms.Form):
    """`unit`: the unit's public id (a representative chooses among its units) or, for the office, the
    national ID typed. `referral`: the open referral the booking answers (optional)."""

    unit = forms.CharField(label=_("Unit"), max_length=64)
    question = forms.CharField(
        label=_("What do you want to discuss?"), max_length=2000, required=False, widget=forms.Textarea
    )
    referral = forms.CharField(label=_("Referral"), max_length=64, required=False)

    def __init__(self, *args, units, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.referrals = units, referrals

    def clean_unit(self):
        unit = _unit_by_key(self.units, self.cleaned_data["unit"])
        if unit is None:
            raise ValidationError(_("You may not book for this unit, or no unit has this national ID."))
        return unit

    def clean_referral(self):
        key = (self.cleaned_data.get("referral") or "").strip()
        if not key:
            return None
        try:
            referral = self.referrals.filter(public_id=uuid.UUID(key), status=ReferralStatus.OPEN).first()
        except ValueError:
            referral = None
        if referral is None:
            raise ValidationError(_("No open referral of yours has this identifier."))
        return referral


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class RescheduleForm(forms.Form):
    slot = forms.UUIDField(label=_("New slot"))


class NotesForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(BookingStatus.HELD, _("Held")), (BookingStatus.NO_SHOW, _("The unit did not come"))],
    )
    notes = forms.CharField(
        label=_("Notes of the session"), max_length=10000, required=False, widget=forms.Textarea
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=[(n, str(n)) for n in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class ReferralForm(forms.Form):
    unit = forms.CharField(label=_("National ID of the unit"), max_length=20)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), to_field_name="code")
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    def clean_unit(self):
        unit = _unit_by_key(self.units, self.cleaned_data["unit"])
        if unit is None:
            raise ValidationError(_("No unit of your province has this national ID."))
        return unit


class AdvisorForm(forms.Form):
    username = forms.CharField(label=_("Username of the advisor's account"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=AdvisorKind.choices)
    display_name = forms.CharField(label=_("Name to show"), max_length=200)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), to_field_name="code", required=False
    )
    lab = forms.ModelChoiceField(
        label=_("Lab (lab experts)"), queryset=Lab.objects.all(), to_field_name="public_id", required=False
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    bio = forms.CharField(label=_("About"), max_length=4000, required=False, widget=forms.Textarea)

    def clean_username(self):
        from hami.core.models import User

        user = User.objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise ValidationError(_("No user has this username."))
        return user
