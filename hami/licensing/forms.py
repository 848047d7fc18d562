from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=40, required=False)
    payload = forms.CharField(label=_("Or the text of the QR code"), max_length=4000, required=False)


class ComplaintForm(forms.Form):
    text = forms.CharField(label=_("What is wrong with the product?"), max_length=4000, widget=forms.Textarea)
    contact = forms.CharField(label=_("Phone or email (optional)"), max_length=200, required=False)
