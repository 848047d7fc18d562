"""Forms of the enforcement ladder: the office's decision on a unit, the coercive-share and list filters."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hami.core.models import Province
from hami.licensing.models import Licence, SanctionReason
from hami.registry.models import ProductionUnit
from hami.supervision import ladder
from hami.supervision.models import Finding, FindingState, Step, Trigger
from hami.supervision.selectors_ladder import MonthError, parse_month


class FindingChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Finding) -> str:
        return _("{severity}: {text}").format(severity=obj.get_severity_display(), text=obj.text[:120])


class LicenceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Licence) -> str:
        return _("{number} ({state})").format(number=obj.number, state=obj.get_state_display())


class LadderDecisionForm(forms.Form):
    """The office's decision on a unit; `initial` comes from ladder.proposal."""

    step = forms.TypedChoiceField(label=gettext_lazy("New step"), coerce=int, choices=Step.choices)
    trigger = forms.ChoiceField(label=gettext_lazy("Why"), choices=Trigger.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason of the decision (the unit reads it)"),
        widget=forms.Textarea,
        max_length=4000,
    )
    findings = FindingChoice(
        label=gettext_lazy("Findings it rests on"),
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    licence = LicenceChoice(
        label=gettext_lazy("Licence (suspension, revocation, reinstatement)"),
        queryset=Licence.objects.none(),
        required=False,
    )
    sanction_reason = forms.ModelChoiceField(
        label=gettext_lazy("Reason from the catalogue (suspension, revocation)"),
        queryset=SanctionReason.objects.filter(active=True),
        required=False,
    )
    members_present = forms.CharField(
        label=gettext_lazy("Marks Committee members present, one a line"),
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )
    market_withdrawal = forms.BooleanField(
        label=gettext_lazy("Withdraw the products from the market"), required=False
    )
    judiciary = forms.BooleanField(
        label=gettext_lazy("Refer to the judiciary instead of revoking"), required=False
    )

    def __init__(self, *args, unit: ProductionUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = (
            Finding.objects.filter(unit=unit).exclude(state=FindingState.WITHDRAWN).order_by("-created_at")
        )
        self.fields["licence"].queryset = Licence.objects.filter(unit=unit).order_by("number")

    @property
    def members(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data.get("members_present", "").splitlines() if line.strip()
        ]


def proposal_initial(proposal: ladder.Proposal | None, *, findings, licence) -> dict:
    """The form pre-filled from the proposal: its step and trigger, the open findings, the licence."""
    if proposal is None:
        return {"findings": findings}
    return {
        "step": int(proposal.step),
        "trigger": str(proposal.trigger),
        "findings": findings,
        "licence": licence,
        "market_withdrawal": proposal.trigger == ladder.Trigger.CRITICAL_SAFETY,
    }


class MeasuresForm(forms.Form):
    """The coercive share's range (Jalali months, 1404-01) and, for national staff, the province."""

    start = forms.CharField(label=gettext_lazy("From (Jalali month)"), required=False, max_length=7)
    end = forms.CharField(label=gettext_lazy("To (Jalali month)"), required=False, max_length=7)
    province = forms.ModelChoiceField(
        label=gettext_lazy("Province"),
        queryset=Province.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("The whole country"),
    )

    def __init__(self, *args, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not national:
            del self.fields["province"]

    def _month(self, name: str):
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        try:
            return parse_month(text, name)
        except MonthError as exc:
            raise forms.ValidationError(_("Write the month as 1404-07.")) from exc

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")


class LadderListForm(forms.Form):
    step = forms.TypedChoiceField(
        label=gettext_lazy("Step"),
        coerce=int,
        choices=[("", gettext_lazy("Every step above none")), *Step.choices],
        required=False,
        empty_value=None,
    )
    province = forms.ModelChoiceField(
        label=gettext_lazy("Province"), queryset=Province.objects.order_by("code"), required=False
    )
