"""Forms of the risk-score pages: the ranking's filters and the instruction (one labelled field a setting)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hami.core.models import County, Province, User
from hami.supervision.models import Tier
from hami.supervision.policy import Policy
from hami.supervision.selectors import policy_fields, policy_label


class ScoreFilterForm(forms.Form):
    """The ranking's filters; junk is dropped, never an error (the page shows the unfiltered list)."""

    province = forms.ModelChoiceField(
        Province.objects.order_by("name_fa"), required=False, to_field_name="code", label=_("Province")
    )
    tier = forms.ChoiceField(choices=[("", _("All tiers")), *Tier.choices], required=False, label=_("Tier"))
    county = forms.ModelChoiceField(County.objects.none(), required=False, label=_("County"))

    def __init__(self, *args, user: User, province: Province | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_national:
            self.fields["province"].empty_label = _("All provinces")
        else:
            del self.fields["province"]
        counties = County.objects.filter(province=province) if province else County.objects.none()
        self.fields["county"].queryset = counties.order_by("name_fa")
        self.fields["county"].empty_label = _("All counties")


def field_name(field: str) -> str:
    """A setting's form field: `weights.hazard` → `weights__hazard`."""
    return field.replace(".", "__")


class PolicyForm(forms.Form):
    """Every setting of the instruction as a number field labelled in the user's language, plus the reason.
    `values()` gives the nested settings policy_set takes."""

    def __init__(self, *args, policy: Policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = policy_fields(policy)
        for field, value in self.settings:
            self.fields[field_name(field)] = forms.FloatField(
                label=policy_label(field),
                initial=value,
                widget=forms.NumberInput(attrs={"step": "any", "class": "form-control form-control-sm"}),
            )
        self.fields["reason"] = forms.CharField(
            label=_("Why the instruction changes"),
            max_length=300,
            widget=forms.TextInput(attrs={"class": "form-control"}),
        )

    def values(self) -> dict:
        result: dict = {}
        for field, _value in self.settings:
            number = self.cleaned_data[field_name(field)]
            head, _dot, tail = field.partition(".")
            if tail:
                result.setdefault(head, {})[tail] = number
            else:
                result[head] = number
        return result

    def grouped(self, sections: list[dict]) -> list[dict]:
        """The page's sections with their bound fields, in the order of the instruction."""
        return [
            {**section, "fields": [self[field_name(row["field"])] for row in section["rows"]]}
            for section in sections
        ]
