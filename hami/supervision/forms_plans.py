"""Forms of the plan pages: the period (kind, Jalali year, month or season), each inspector's available
days, moving or removing a draft's visit, withdrawing a plan. They parse; the services decide."""

import datetime as dt

import jdatetime
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hami.core.forms import JalaliDateField
from hami.core.jalali import in_persian
from hami.core.models import Province, User
from hami.core.month import JALALI_MONTHS_FA, WEEKDAYS_EN, WEEKDAYS_FA
from hami.core.persian import to_persian_digits
from hami.supervision.models import PeriodKind, PlanState
from hami.supervision.services.plans import MAX_REASON, MAX_YEAR, MIN_YEAR, MONTHS_EN, SEASONS_EN, SEASONS_FA


def _months():
    return [(n, name) for n, name in enumerate(JALALI_MONTHS_FA if in_persian() else MONTHS_EN, start=1)]


def _seasons():
    return [(n, name) for n, name in enumerate(SEASONS_FA if in_persian() else SEASONS_EN, start=1)]


def next_month(today: dt.date) -> tuple[int, int]:
    """The Jalali (year, month) after today's: the period a new plan is usually made for."""
    j = jdatetime.date.fromgregorian(date=today)
    return (j.year + 1, 1) if j.month == 12 else (j.year, j.month + 1)


class PlanPeriodForm(forms.Form):
    """The period of a new plan (read from the query string: changing it redraws the inspectors' days)."""

    province = forms.ModelChoiceField(
        label=gettext_lazy("Province"), queryset=Province.objects.order_by("code"), required=False
    )
    period_kind = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PeriodKind.choices, initial=PeriodKind.MONTH
    )
    year = forms.IntegerField(label=gettext_lazy("Jalali year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    month = forms.TypedChoiceField(label=gettext_lazy("Month"), coerce=int, required=False, choices=_months)
    season = forms.TypedChoiceField(
        label=gettext_lazy("Season"), coerce=int, required=False, choices=_seasons
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_national:
            del self.fields["province"]

    def clean(self):
        data = super().clean()
        if "province" in self.fields and not data.get("province"):
            self.add_error("province", _("Choose the province."))
        kind = data.get("period_kind")
        if kind == PeriodKind.MONTH and not data.get("month"):
            self.add_error("month", _("Choose the month."))
        if kind == PeriodKind.SEASON and not data.get("season"):
            self.add_error("season", _("Choose the season."))
        data["period"] = data.get("month") if kind == PeriodKind.MONTH else data.get("season")
        return data


def day_label(day: dt.date) -> str:
    """ "Sat 12" style: the weekday and the day of the month (Jalali in Persian)."""
    if in_persian():
        j = jdatetime.date.fromgregorian(date=day)
        return to_persian_digits(f"{WEEKDAYS_FA[(day.weekday() + 2) % 7]} {j.day}")
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day}"


class AvailabilityForm(forms.Form):
    """Per inspector: whether they are kept for the plan, and their available days (default: working days).
    Fields `keep_<id>` and `days_<id>`."""

    def __init__(self, *args, inspectors, days: list[dt.date], working: set[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.inspectors = list(inspectors)
        self.days = days
        self.working = working
        choices = [(day.isoformat(), day_label(day)) for day in days]
        for inspector in self.inspectors:
            self.fields[f"keep_{inspector.pk}"] = forms.BooleanField(
                label=inspector.get_full_name() or inspector.username, required=False, initial=True
            )
            self.fields[f"days_{inspector.pk}"] = forms.MultipleChoiceField(
                label=gettext_lazy("Available days"),
                choices=choices,
                required=False,
                initial=[day.isoformat() for day in days if day in working],
                widget=forms.CheckboxSelectMultiple,
            )

    def rows(self) -> list[dict]:
        """Per inspector: the keep box and the days grouped by Jalali month, for the template."""
        rows = []
        for inspector in self.inspectors:
            field = self[f"days_{inspector.pk}"]
            ticked = set(field.value() or [])
            months: dict[str, list[dict]] = {}
            for day in self.days:
                iso = day.isoformat()
                j = jdatetime.date.fromgregorian(date=day)
                title = (JALALI_MONTHS_FA if in_persian() else MONTHS_EN)[j.month - 1]
                months.setdefault(title, []).append(
                    {
                        "iso": iso,
                        "label": day_label(day),
                        "ticked": iso in ticked,
                        "working": day in self.working,
                    }
                )
            rows.append(
                {
                    "inspector": inspector,
                    "keep": self[f"keep_{inspector.pk}"],
                    "days": field,
                    "count": len(ticked),
                    "months": months,
                }
            )
        return rows

    def availability(self) -> dict[User, list[dt.date]]:
        """The kept inspectors and their ticked days (valid form only)."""
        kept = {}
        for inspector in self.inspectors:
            if self.cleaned_data.get(f"keep_{inspector.pk}"):
                days = self.cleaned_data.get(f"days_{inspector.pk}") or []
                kept[inspector] = sorted(dt.date.fromisoformat(day) for day in days)
        return kept


class VisitMoveForm(forms.Form):
    inspector = forms.ModelChoiceField(label=gettext_lazy("Inspector"), queryset=User.objects.none())
    day = JalaliDateField(label=gettext_lazy("Day"), help_text=gettext_lazy("As 1405/02/10."))

    def __init__(self, *args, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors
        self.fields["inspector"].label_from_instance = lambda user: user.get_full_name() or user.username

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is None:
            raise forms.ValidationError(_("Give the day."))
        return day


class VisitRemoveForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why (optional)"), max_length=MAX_REASON, required=False)


class PlanWithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is the plan withdrawn?"), max_length=MAX_REASON)


class PlanFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("All states")), *PlanState.choices],
        required=False,
    )
