from django import forms
from django.utils.translation import gettext_lazy as _


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    county = forms.CharField(required=False, max_length=60)
    status = forms.CharField(required=False, max_length=16)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)
