"""The risk-assessment page's form: the scenario, and its steps as a formset (empty rows ignored)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hami.core.models import Province, User
from hami.core.persian import to_ascii_digits
from hami.registry.models import ProductionUnit
from hami.standards.models import ProductCategory
from hami.supervision import safety_gate

STEP_ROWS = 6


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProductCategory) -> str:
        return _("{name} (typical hazard level {level})").format(name=obj.name, level=obj.hazard_level)


class RiskAssessmentForm(forms.Form):
    province = forms.ModelChoiceField(
        label=gettext_lazy("Province"), queryset=Province.objects.order_by("code"), required=False
    )
    category = CategoryChoice(label=gettext_lazy("Product category"), queryset=ProductCategory.objects.all())
    # By national ID, not a list: a province has thousands of units, the country 120,000.
    unit = forms.CharField(
        label=gettext_lazy("Production unit's national ID (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
    )
    hazard = forms.CharField(label=gettext_lazy("Hazard"), max_length=500)
    injured_person = forms.CharField(
        label=gettext_lazy("Who is injured"),
        max_length=255,
        help_text=gettext_lazy("For example: a child under 3, an adult user, a passer-by."),
    )
    injury = forms.CharField(label=gettext_lazy("Injury"), widget=forms.Textarea, max_length=4000)
    severity = forms.TypedChoiceField(
        label=gettext_lazy("Severity of the injury"),
        coerce=int,
        choices=[(level, level) for level in safety_gate.SEVERITIES],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_national:
            del self.fields["province"]

    def clean_unit(self) -> ProductionUnit | None:
        national_id = to_ascii_digits(self.cleaned_data.get("unit") or "").strip()
        if not national_id:
            return None
        units = ProductionUnit.objects.filter(national_id=national_id)
        if not self.user.is_national:
            units = units.filter(province_id=self.user.province_id)
        unit = units.first()
        if unit is None:
            raise forms.ValidationError(_("No production unit of your province has this national ID."))
        return unit

    def clean(self):
        data = super().clean()
        if "province" in self.fields and not data.get("province") and not data.get("unit"):
            self.add_error("province", _("Choose the province, or a unit."))
        return data


class StepForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Step"), max_length=500, required=False)
    probability = forms.CharField(
        label=gettext_lazy("Probability"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "1/100", "dir": "ltr", "inputmode": "decimal"}),
    )

    def clean(self):
        data = super().clean()
        text, probability = data.get("text", "").strip(), data.get("probability", "").strip()
        if not text and not probability:
            return data  # an empty row is ignored
        if not text:
            self.add_error("text", _("Describe this step."))
        if not probability:
            self.add_error("probability", _("Give this step's probability."))
            return data
        try:
            data["fraction"] = safety_gate.to_fraction(probability)
        except safety_gate.RiskInputError as exc:
            self.add_error("probability", str(exc.message))
        return data


StepFormSet = forms.formset_factory(StepForm, extra=STEP_ROWS, max_num=STEP_ROWS, validate_max=True)


def filled_steps(formset) -> list[dict]:
    """The rows the inspector filled in, in order."""
    return [
        {"text": form.cleaned_data["text"], "probability": form.cleaned_data["probability"]}
        for form in formset.forms
        if form.cleaned_data.get("text") or form.cleaned_data.get("probability")
    ]
