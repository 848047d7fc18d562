from django import forms
from django.utils.translation import gettext_lazy as _

from hami.core.forms import JalaliDateField
from hami.licensing.models import DocumentKind


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=40, required=False)
    payload = forms.CharField(label=_("Or the text of the QR code"), max_length=4000, required=False)


class ComplaintForm(forms.Form):
    text = forms.CharField(label=_("What is wrong with the product?"), max_length=4000, widget=forms.Textarea)
    contact = forms.CharField(label=_("Phone or email (optional)"), max_length=200, required=False)


class ApplyForm(forms.Form):
    """A unit representative picks one of its products and a standard that applies to it."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=None)

    def __init__(self, *args, products, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["standard"].queryset = standards


class ReturnForm(forms.Form):
    deficiencies = forms.CharField(
        label=_("Deficiencies, one per line"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class TestsForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Outcome"), choices=[("1", _("Passed")), ("0", _("Failed"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class DecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Decision"), choices=[("1", _("Grant")), ("0", _("Refuse"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    members_present = forms.CharField(
        label=_("Members present, one per line"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean_members_present(self):
        return [line.strip() for line in self.cleaned_data["members_present"].splitlines() if line.strip()]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class LicenceFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    state = forms.CharField(required=False, max_length=16)
    expiring = forms.BooleanField(required=False)


class MeetingForm(forms.Form):
    held_on = JalaliDateField(label=_("Date (e.g. 1405/09/10)"))
    members = forms.CharField(
        label=_("Members, one per line"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    applications = forms.ModelMultipleChoiceField(label=_("Applications on the agenda"), queryset=None)

    def __init__(self, *args, ready, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = ready

    def clean_members(self):
        return [line.strip() for line in self.cleaned_data["members"].splitlines() if line.strip()]


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Decision"),
        choices=[("suspend", _("Suspend")), ("reinstate", _("Reinstate")), ("revoke", _("Revoke"))],
    )
    sanction_reason = forms.ModelChoiceField(
        label=_("Reason from the catalogue"), queryset=None, required=False
    )
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    members_present = forms.CharField(
        label=_("Members present, one per line"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hami.licensing.models import SanctionReason

        self.fields["sanction_reason"].queryset = SanctionReason.objects.filter(active=True)

    def clean_members_present(self):
        return [line.strip() for line in self.cleaned_data["members_present"].splitlines() if line.strip()]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    issued_on = JalaliDateField(label=_("Issued on (for a lab report)"), required=False)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))
