"""Forms of the inspection pages: filters, scheduling, the checklist's answers and findings (with photos),
finishing a visit, corrective actions, checklists. They parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy

from hami.core.errors import HamiError
from hami.core.forms import JalaliDateField
from hami.core.models import Role, User
from hami.registry.models import ProductionUnit
from hami.standards.models import Scheme
from hami.supervision.models import (
    AnswerResult,
    Finding,
    FindingSeverity,
    FindingState,
    InspectionKind,
    InspectionState,
)
from hami.supervision.services.checklists import standard_from_text
from hami.supervision.services.inspections import CheckResult


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern); an empty list when none is sent."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


class PhotoInput(MultipleFileInput):
    """Opens the phone's camera first (the inspector photographs what was found), a file still allowed."""

    def __init__(self):
        super().__init__(attrs={"accept": "image/*,application/pdf", "capture": "environment"})


def inspectors_of(province_id: int | None):
    inspectors = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("last_name", "username")
    return inspectors.filter(province_id=province_id) if province_id else inspectors


class InspectorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class InspectionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("All states")), *InspectionState.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *InspectionKind.choices],
        required=False,
    )
    inspector = InspectorChoice(
        label=gettext_lazy("Inspector"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("All inspectors"),
    )
    date_from = JalaliDateField(label=gettext_lazy("From"), required=False)
    date_to = JalaliDateField(label=gettext_lazy("To"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors_of(None if user.is_national else user.province_id)


class UnitLookupForm(forms.Form):
    unit = forms.CharField(
        label=gettext_lazy("National ID of the unit"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )


class ScheduleForm(forms.Form):
    inspector = InspectorChoice(label=gettext_lazy("Inspector"), queryset=User.objects.none())
    scheduled_on = JalaliDateField(label=gettext_lazy("Day of the visit"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=InspectionKind.choices, initial="follow_up")
    note = forms.CharField(label=gettext_lazy("Why this visit"), max_length=300, widget=forms.Textarea)
    unannounced = forms.BooleanField(label=gettext_lazy("Unannounced (the unit is not told)"), required=False)
    checks = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Open findings the visit checks"),
        queryset=Finding.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, unit: ProductionUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["inspector"].queryset = inspectors_of(unit.province_id)
        self.fields["checks"].queryset = Finding.objects.filter(unit=unit, state=FindingState.OPEN).order_by(
            "-created_at"
        )


class AnswerForm(forms.Form):
    result = forms.ChoiceField(choices=AnswerResult.choices)
    note = forms.CharField(max_length=500, required=False)


class FindingForm(forms.Form):
    item = forms.CharField(max_length=60, required=False, widget=forms.HiddenInput)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"), choices=FindingSeverity.choices, widget=forms.RadioSelect
    )
    safety = forms.BooleanField(label=gettext_lazy("A safety risk"), required=False)
    text = forms.CharField(label=gettext_lazy("What was found"), max_length=4000, widget=forms.Textarea)
    photos = MultipleFileField(label=gettext_lazy("Photos or files"), required=False, widget=PhotoInput())


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Photo or PDF"))


def check_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[
            (CheckResult.STILL_OPEN, gettext_lazy("Still open")),
            (CheckResult.CORRECTED, gettext_lazy("Corrected")),
        ],
        widget=forms.RadioSelect,
    )


class FinishForm(forms.Form):
    """The summary, and one still-open-or-corrected field per open finding the visit checks."""

    summary = forms.CharField(
        label=gettext_lazy("Summary of the visit"), max_length=4000, widget=forms.Textarea
    )

    def __init__(self, *args, checks: list[Finding] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = list(checks)
        for finding in self.checks:
            self.fields[f"check_{finding.public_id}"] = check_field()

    def marks(self) -> dict[str, str]:
        return {str(f.public_id): self.cleaned_data[f"check_{f.public_id}"] for f in self.checks}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class ProposeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Corrective action"), max_length=4000, widget=forms.Textarea)
    due_on = JalaliDateField(label=gettext_lazy("To be done by"))


class AcceptForm(forms.Form):
    due_on = JalaliDateField(label=gettext_lazy("Another date (optional)"), required=False)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=4000, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=4000, widget=forms.Textarea)


class VerifyForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=4000, required=False)


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What is still missing"), max_length=4000, widget=forms.Textarea
    )
    due_on = JalaliDateField(label=gettext_lazy("New date"))


class SubmitForm(forms.Form):
    evidence_note = forms.CharField(
        label=gettext_lazy("What was done"), max_length=4000, widget=forms.Textarea
    )
    files = MultipleFileField(label=gettext_lazy("Photos or PDF files"), required=False)


class ChecklistForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=60, required=False)
    name_fa = forms.CharField(label=gettext_lazy("Name (Persian)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    scheme = forms.ChoiceField(
        label=gettext_lazy("Certification scheme"),
        choices=[("", gettext_lazy("Any scheme")), *Scheme.choices],
        required=False,
    )
    standard = forms.CharField(
        label=gettext_lazy("Standard (number:year, optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "2406:1399"}),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def clean_standard(self):
        try:
            return standard_from_text(self.cleaned_data["standard"])
        except HamiError as exc:
            raise forms.ValidationError(exc.message) from exc


class ChecklistItemForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=60, required=False)
    text_fa = forms.CharField(label=gettext_lazy("What is checked (Persian)"), max_length=300)
    text_en = forms.CharField(label=gettext_lazy("What is checked (English)"), max_length=300, required=False)
    guidance = forms.CharField(
        label=gettext_lazy("What to look at"), max_length=4000, required=False, widget=forms.Textarea
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Usual severity"), choices=FindingSeverity.choices, initial=FindingSeverity.MAJOR
    )
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=32767, required=False)
