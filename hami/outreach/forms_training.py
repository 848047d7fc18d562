"""Forms of the training pages: a course, a session, a registration, and the reasons of cancellations."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hami.core.forms import JalaliDateField
from hami.core.identifiers import clean_digits
from hami.core.models import Province
from hami.core.persian import to_ascii_digits
from hami.outreach.models import Course, CourseKind, Mode, Topic
from hami.standards.models import Standard


class TimeOfDayField(forms.TimeField):
    """09:30, in any digit script."""

    default_error_messages = {"invalid": _("Write the time as 09:30.")}

    def to_python(self, value):
        return super().to_python(to_ascii_digits(value).strip() if isinstance(value, str) else value)


class CourseForm(forms.Form):
    code = forms.SlugField(label=_("Code (Latin letters, digits, dashes)"), max_length=40)
    title_fa = forms.CharField(label=_("Title (Persian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices, initial=CourseKind.GENERAL)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), required=False)
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=Standard.objects.all(), required=False)
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=400, initial=8)
    certificate_months = forms.IntegerField(
        label=_("Certificate valid for (months; empty: never expires, QC courses: 36)"),
        min_value=1,
        max_value=120,
        required=False,
    )
    province = forms.ModelChoiceField(
        label=_("Province (empty: a national course)"), queryset=Province.objects.all(), required=False
    )
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not national:  # an office's courses are its province's
            del self.fields["province"]

    @classmethod
    def initial_for(cls, course: Course) -> dict:
        return {
            "code": course.code,
            "title_fa": course.title_fa,
            "title_en": course.title_en,
            "kind": course.kind,
            "topic": course.topic_id,
            "standard": course.standard_id,
            "hours": course.hours,
            "certificate_months": course.certificate_months,
            "province": course.province_id,
            "is_active": course.is_active,
            "description": course.description,
        }


class SessionForm(forms.Form):
    """A session's time as a Jalali date and times of day; several days when the last day is given."""

    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all())
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.IN_PERSON)
    venue = forms.CharField(label=_("Venue (in person)"), max_length=300, required=False)
    link = forms.URLField(label=_("Link (online)"), max_length=200, required=False, assume_scheme="https")
    day = JalaliDateField(label=_("Date"))
    start = TimeOfDayField(label=_("Starts at"), widget=forms.TextInput(attrs={"placeholder": "09:00"}))
    last_day = JalaliDateField(label=_("Last day (if more than one)"), required=False)
    end = TimeOfDayField(label=_("Ends at"), widget=forms.TextInput(attrs={"placeholder": "13:00"}))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=2000)
    trainer = forms.CharField(label=_("Trainer"), max_length=200, required=False)

    def __init__(self, *args, courses=None, national: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if courses is None:  # changing a session: its course and province stay
            del self.fields["course"]
            del self.fields["province"]
        else:
            self.fields["course"].queryset = courses
            if not national:
                del self.fields["province"]

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            last = data.get("last_day") or day
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(dt.datetime.combine(last, end))
        return data

    @classmethod
    def initial_for(cls, session) -> dict:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "mode": session.mode,
            "venue": session.venue,
            "link": session.link,
            "day": starts.date(),
            "start": starts.strftime("%H:%M"),
            "last_day": ends.date() if ends.date() != starts.date() else None,
            "end": ends.strftime("%H:%M"),
            "capacity": session.capacity,
            "trainer": session.trainer,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        names = ("mode", "venue", "link", "starts_at", "ends_at", "capacity", "trainer")
        return {name: data[name] for name in names}


class RegistrationForm(forms.Form):
    """A unit's representative picks one of its units; the office types the unit's national ID."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    unit_national_id = forms.CharField(label=_("National ID of the unit"), max_length=20, required=False)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    national_code = forms.CharField(label=_("National code"), max_length=20)

    def __init__(self, *args, units, choose: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        if choose:
            self.fields["unit"].queryset = units
            self.fields["unit"].required = True
            del self.fields["unit_national_id"]
        else:
            del self.fields["unit"]
            self.fields["unit_national_id"].required = True

    def clean(self):
        data = super().clean()
        if "unit_national_id" in self.fields and data.get("unit_national_id"):
            national_id = clean_digits(data["unit_national_id"])
            data["unit"] = self.units.filter(national_id=national_id).first()
            if data["unit"] is None:
                self.add_error("unit_national_id", _("No unit of yours has this national ID."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
