from django import forms
from django.utils.translation import gettext_lazy as _

from hami.core.models import County, User
from hami.registry.models import SizeClass, UnitStatus


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    county = forms.CharField(required=False, max_length=60)
    status = forms.CharField(required=False, max_length=16)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)


class UnitForm(forms.Form):
    """Register a unit by hand; the same checks as the importer run in the service."""

    national_id = forms.CharField(label=_("National legal identifier"), max_length=20)
    name_fa = forms.CharField(label=_("Name (Persian)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.none())
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    isic = forms.CharField(label=_("ISIC activity"), max_length=4, required=False)
    size_class = forms.ChoiceField(label=_("Size class"), choices=SizeClass.choices, initial=SizeClass.SMALL)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        counties = County.objects.select_related("province").order_by("province__name_fa", "name_fa")
        if not user.is_national:
            counties = counties.filter(province_id=user.province_id)
        self.fields["county"].queryset = counties


class UnitEditForm(UnitForm):
    status = forms.ChoiceField(label=_("Status"), choices=UnitStatus.choices)
    reason = forms.CharField(label=_("Reason for the change"), max_length=500, required=False)

    field_order = [*UnitForm.base_fields, "status", "reason"]
