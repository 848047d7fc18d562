"""Forms of the working-group pages. They parse and look things up; the rules are in services/groups.py."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hami.core.forms import JalaliDateField
from hami.core.identifiers import clean_digits
from hami.core.jalali import format_datetime
from hami.core.models import Province, User
from hami.core.persian import to_ascii_digits
from hami.labs.models import Lab
from hami.outreach.models import (
    ActionState,
    MeetingStatus,
    MemberKind,
    MemberRole,
    Mode,
    ProposalKind,
    ProposalState,
)
from hami.outreach.services.groups import MAX_ID
from hami.registry.models import ProductionUnit
from hami.standards.models import Standard


class GroupForm(forms.Form):
    name_fa = forms.CharField(label=_("Name (Persian)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    isic = forms.CharField(
        label=_("Sector (ISIC division or class)"),
        max_length=8,
        widget=forms.TextInput(attrs={"placeholder": "10 / 1050"}),
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False, empty_label=_("National")
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=20_000, required=False, widget=forms.Textarea)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["province"]
        if user.is_national:
            field.queryset = Province.objects.order_by("name_fa")
        else:  # an office runs its own province's groups: the one choice, and no "national"
            field.queryset = Province.objects.filter(pk=user.province_id)
            field.required, field.empty_label = True, None
            field.initial = user.province_id


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class MemberAddForm(forms.Form):
    """A member by kind: a unit (its national ID, or its public id from a suggestion), a lab (from the
    list, or its public id from a suggestion), or a person by username."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MemberKind.choices)
    unit = forms.CharField(label=_("National ID of the unit"), max_length=40, required=False)
    lab = forms.CharField(label=_("Lab"), max_length=40, required=False)
    username = forms.CharField(label=_("Username of the person"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)

    def clean_unit(self):
        text = self.cleaned_data["unit"].strip()
        if not text:
            return None
        digits = clean_digits(text)
        unit = None
        if len(digits) == 11:
            unit = ProductionUnit.objects.filter(national_id=digits).first()
        else:
            try:
                unit = ProductionUnit.objects.filter(public_id=text).first()
            except ValidationError:
                unit = None
        if unit is None:
            raise forms.ValidationError(_("No unit has this national ID."))
        return unit

    def clean_lab(self):
        text = self.cleaned_data["lab"].strip()
        if not text:
            return None
        try:
            lab = Lab.objects.filter(public_id=text).first()
        except ValidationError:
            lab = None
        if lab is None:
            raise forms.ValidationError(_("No such lab."))
        return lab

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not name:
            return None
        user = User.objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("No user has the username {name}.").format(name=name))
        return user

    def member_fields(self) -> dict:
        """The service's keyword arguments: only the reference the kind calls for is passed on, so a
        stray field of another kind (the page keeps all three inputs) does not refuse the form."""
        data = self.cleaned_data
        kind = data["kind"]
        wanted = {MemberKind.UNIT: "unit", MemberKind.LAB: "lab"}.get(kind, "username")
        fields = {"kind": kind, "role": data["role"]}
        target = {"unit": "unit", "lab": "lab", "username": "user"}[wanted]
        fields[target] = data[wanted]
        return fields


class MemberRoleForm(forms.Form):
    member = forms.IntegerField(min_value=1, max_value=MAX_ID)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class MemberRemoveForm(forms.Form):
    member = forms.IntegerField(min_value=1, max_value=MAX_ID)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class TimeField(forms.Field):
    """A time of day as 14:30 (any digit script)."""

    default_error_messages = {"invalid": _("Write the time as 14:30.")}

    def to_python(self, value):
        text = to_ascii_digits(str(value or "")).strip()
        if not text:
            return None
        if len(text) > 8:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return dt.time.fromisoformat(text if len(text) > 2 else f"{text}:00")
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class MeetingForm(forms.Form):
    day = JalaliDateField(label=_("Date"), widget=forms.TextInput(attrs={"placeholder": "1405/09/10"}))
    time = TimeField(label=_("Time"), widget=forms.TextInput(attrs={"placeholder": "10:00"}))
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    link = forms.CharField(label=_("Online link"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Agenda"), max_length=20_000, widget=forms.Textarea)

    def meeting_fields(self) -> dict:
        data = self.cleaned_data
        starts_at = timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))
        return {
            "starts_at": starts_at,
            "mode": data["mode"],
            "venue": data["venue"],
            "link": data["link"],
            "agenda": data["agenda"],
        }


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), max_length=20_000, widget=forms.Textarea)
    attendees = forms.TypedMultipleChoiceField(label=_("Attended"), coerce=int, choices=())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(m.pk, m.display_name) for m in members]


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=())
    due_on = JalaliDateField(label=_("Due on"), widget=forms.TextInput(attrs={"placeholder": "1405/09/10"}))
    meeting = forms.TypedChoiceField(label=_("From the meeting"), coerce=int, choices=(), required=False,
                                     empty_value=None)  # fmt: skip

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.members = {m.pk: m for m in group.members.filter(is_active=True)}
        self.fields["owner"].choices = [(pk, m.display_name) for pk, m in self.members.items()]
        meetings = group.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("-starts_at")[:20]
        self.meetings = {m.pk: m for m in meetings}
        self.fields["meeting"].choices = [("", "—")] + [
            (pk, format_datetime(m.starts_at)) for pk, m in self.meetings.items()
        ]

    def action_fields(self) -> dict:
        data = self.cleaned_data
        meeting = self.meetings.get(data["meeting"]) if data["meeting"] else None
        return {
            "title": data["title"],
            "owner": self.members[data["owner"]],
            "due_on": data["due_on"],
            "meeting": meeting,
        }


class ActionUpdateForm(forms.Form):
    action = forms.IntegerField(min_value=1, max_value=MAX_ID)
    state = forms.ChoiceField(label=_("State"), choices=ActionState.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProposalKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), max_length=20_000, widget=forms.Textarea)
    standard = forms.CharField(
        label=_("INSO standard number (if it concerns one)"), max_length=12, required=False
    )

    def clean_standard(self):
        digits = clean_digits(self.cleaned_data["standard"])
        if not digits:
            return None
        standard = None
        if digits.isascii() and digits.isdigit() and len(digits) <= 9:
            standard = Standard.objects.filter(number=int(digits)).order_by("-year").first()
        if standard is None:
            raise forms.ValidationError(_("No standard has the number {number}.").format(number=digits))
        return standard


class ProposalMoveForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=ProposalState.choices)
    note = forms.CharField(
        label=_("Note (the reason of a rejection, the outcome of an implementation)"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GroupFilterForm(forms.Form):
    isic = forms.CharField(label=_("Sector (ISIC)"), max_length=4, required=False)
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_fa"),
        required=False,
        to_field_name="code",
        empty_label=_("All provinces"),
    )
    mine = forms.BooleanField(label=_("Only my groups"), required=False)

    def clean_isic(self):
        return to_ascii_digits(self.cleaned_data["isic"]).strip()
