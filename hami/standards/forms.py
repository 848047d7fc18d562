from django import forms
from django.utils.translation import gettext_lazy as _


class StandardSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    mandatory = forms.BooleanField(required=False)


class StandardsImportForm(forms.Form):
    file = forms.FileField(label=_("Standards: CSV or XLSX file"))
    requirements_file = forms.FileField(
        label=_("Requirements: CSV file (when the standards file is a CSV)"), required=False
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)
