from django import forms
from django.utils.translation import gettext_lazy as _

from hami.core.forms import JalaliDateField
from hami.core.identifiers import clean_digits
from hami.core.models import County
from hami.labs.models import CustodyStep, LabKind, SampleOrigin
from hami.standards.models import ProductCategory, Requirement, Standard


class RequirementField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.standard.code} · {obj.clause} {obj.title}"


LEVELS = [(level, level) for level in ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")]


class LabApplyForm(forms.Form):
    name_fa = forms.CharField(label=_("Name (Persian)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=LabKind.choices)
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.none())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    accreditation_number = forms.CharField(
        label=_("ISO/IEC 17025 accreditation number"), max_length=40, required=False
    )
    accreditation_body = forms.CharField(label=_("Accreditation body"), max_length=120, required=False)
    accreditation_expiry = JalaliDateField(label=_("Accreditation expiry"), required=False)
    owner_unit = forms.CharField(
        label=_("National ID of the unit that owns it (in-house labs)"), max_length=20, required=False
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties

    def clean_owner_unit(self):
        """The unit an in-house lab belongs to, by its national ID (None when not given)."""
        from hami.registry.models import ProductionUnit

        national_id = clean_digits(self.cleaned_data["owner_unit"])
        if not national_id:
            return None
        unit = ProductionUnit.objects.filter(national_id=national_id).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has this national ID."))
        return unit


class LabMoveForm(forms.Form):
    target = forms.CharField(max_length=16)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fix_by = JalaliDateField(label=_("Fix deficiencies by"), required=False)


class AccreditationForm(forms.Form):
    number = forms.CharField(label=_("Accreditation number"), max_length=40)
    body = forms.CharField(label=_("Accreditation body"), max_length=120)
    expiry = JalaliDateField(label=_("Expires on"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ScopeLineForm(forms.Form):
    requirement = RequirementField(label=_("Requirement"), queryset=Requirement.objects.none())
    method = forms.CharField(label=_("Test method"), max_length=200)
    weekly_capacity = forms.IntegerField(label=_("Tests per week"), min_value=0, max_value=100_000)
    price = forms.IntegerField(label=_("Price (rials)"), min_value=0, max_value=10**12)
    turnaround_days = forms.IntegerField(label=_("Turnaround (days)"), min_value=1, max_value=365)
    uncertainty_may_exceed_value = forms.BooleanField(
        label=_("Uncertainty may exceed the value"), required=False
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = requirements


class ConflictForm(forms.Form):
    unit_national_id = forms.CharField(label=_("National ID of the unit"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DirectoryForm(forms.Form):
    q = forms.CharField(label=_("Lab name"), max_length=100, required=False)
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=Standard.objects.all(), required=False)
    requirement = RequirementField(
        label=_("Test"), queryset=Requirement.objects.select_related("standard"), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=ProductCategory.objects.all(), required=False
    )
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.all(), required=False)


class CompanyForm(forms.Form):
    name_fa = forms.CharField(label=_("Name (Persian)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class SampleForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=Standard.objects.all())
    origin = forms.ChoiceField(label=_("Taken at"), choices=SampleOrigin.choices)
    place = forms.CharField(label=_("Shop or warehouse (market samples)"), max_length=300, required=False)
    lot_number = forms.CharField(label=_("Lot number"), max_length=60, required=False)
    lot_size = forms.IntegerField(label=_("Lot size"), min_value=1, max_value=10**9)
    inspection_level = forms.ChoiceField(label=_("Inspection level"), choices=LEVELS, initial="II")
    aql = forms.DecimalField(
        label=_("AQL (empty: the standard's)"), required=False, max_digits=7, decimal_places=3
    )
    seal_number = forms.CharField(label=_("Seal number"), max_length=40)

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class CustodyForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=CustodyStep.choices)
    lab = forms.UUIDField(required=False)
    seal_intact = forms.NullBooleanField(label=_("Seal intact"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo (JPEG or PNG)"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why the lab cannot take this order"), max_length=300)


class ResultForm(forms.Form):
    value = forms.CharField(label=_("Value"), max_length=40, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
    uncertainty = forms.CharField(label=_("Expanded uncertainty (k=2)"), max_length=40, required=False)
    method = forms.CharField(label=_("Method"), max_length=200, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), ("pass", _("Pass")), ("fail", _("Fail"))], required=False
    )


class ResultsFileForm(forms.Form):
    file = forms.FileField(label=_("Results file (CSV or XLSX)"))


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the amendment"), max_length=300)


class AssignmentForm(forms.Form):
    price = forms.DecimalField(
        label=_("Weight of the price"), initial=1, min_value=0, max_value=1000, max_digits=8, decimal_places=3
    )
    distance = forms.DecimalField(
        label=_("Cost of one kilometre (rials)"),
        initial=50_000,
        min_value=0,
        max_value=10**9,
        max_digits=14,
        decimal_places=2,
    )
    turnaround = forms.DecimalField(
        label=_("Cost of one day of turnaround (rials)"),
        initial=200_000,
        min_value=0,
        max_value=10**10,
        max_digits=14,
        decimal_places=2,
    )
    rotation_limit = forms.IntegerField(
        label=_("Most tests in a row by one lab for a product"), initial=3, min_value=1, max_value=50
    )


class CapacityFilterForm(forms.Form):
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=Standard.objects.all(), required=False)
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=ProductCategory.objects.all(), required=False
    )
    gaps = forms.BooleanField(label=_("Only tests no lab can do"), required=False)
