"""Forms of the market-case and complaint pages. They parse and check shape only; every rule is in
hami/supervision/services/cases.py. A unit is typed by its national ID (a province has thousands), a
licence by its number or tracking code."""

import datetime as dt
import re
import uuid

from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hami.core.identifiers import clean_digits
from hami.core.jalali import format_date
from hami.core.models import Role, User
from hami.core.persian import search_key, to_ascii_digits
from hami.licensing.models import Licence
from hami.licensing.services.complaints import REFERENCE_LENGTH
from hami.licensing.tracking import clean_tracking_code
from hami.registry.models import ProductionUnit
from hami.supervision.models import (
    CaseKind,
    CaseOutcome,
    CaseState,
    ComplaintOutcome,
    ComplaintPriority,
    Inspection,
    InspectionState,
    TriageState,
)

# The complaints tab's state filter: the triage states, and complaints not triaged yet.
UNTRIAGED = "untriaged"
# A complaint is linked to a visit of the last year or one planned ahead.
INSPECTION_CHOICE_DAYS = 365


def unit_by_key(key: str) -> ProductionUnit | None:
    """A unit by its public id or its national ID (any digit script); any province: a producer named on
    a product, or the unit of a complaint, may be another province's."""
    key = (key or "").strip()
    try:
        return ProductionUnit.objects.select_related("province").filter(public_id=uuid.UUID(key)).first()
    except ValueError:
        digits = clean_digits(key)
        if not digits:
            return None
        return ProductionUnit.objects.select_related("province").filter(national_id=digits).first()


def licence_by_key(key: str) -> Licence | None:
    """A licence by its public id, number or tracking code."""
    key = (key or "").strip()
    licences = Licence.objects.select_related("unit__province", "province")
    try:
        return licences.filter(public_id=uuid.UUID(key)).first()
    except ValueError:
        pass
    code = clean_tracking_code(key)
    if code:
        return licences.filter(tracking_code=code).first()
    return licences.filter(number=clean_digits(key)).first() or licences.filter(number=key).first()


class UnitKeyField(forms.CharField):
    """A production unit typed by its national ID (11 digits); empty is None when not required."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("widget", forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}))
        super().__init__(**kwargs)

    def clean(self, value):
        key = super().clean(value)
        if not key:
            return None
        unit = unit_by_key(key)
        if unit is None:
            raise forms.ValidationError(_("No production unit has this national ID."), code="unknown")
        return unit


class LicenceKeyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"dir": "ltr"}))
        super().__init__(**kwargs)

    def clean(self, value):
        key = super().clean(value)
        if not key:
            return None
        licence = licence_by_key(key)
        if licence is None:
            raise forms.ValidationError(_("No licence has this number or tracking code."), code="unknown")
        return licence


def _assignees(province_id: int | None):
    users = User.objects.filter(is_active=True, role__in=[Role.OFFICE_STAFF, Role.INSPECTOR])
    if province_id is None:
        return users.none()
    return users.filter(province_id=province_id).order_by("role", "last_name", "username")


class AssigneeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _("{name} ({role})").format(
            name=obj.get_full_name() or obj.username, role=obj.get_role_display()
        )


# ---------------------------------------------------------------- market cases


class MarketCaseFilterForm(forms.Form):
    """The market tab's filters (junk is ignored, not an error)."""

    state = forms.ChoiceField(
        label=gettext_lazy("State"), choices=[("", gettext_lazy("All")), *CaseState.choices], required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", gettext_lazy("All")), *CaseKind.choices], required=False
    )


class MarkReportForm(forms.Form):
    """An inspector on a shop floor, on a phone: what the label says and where it was seen."""

    tracking_code = forms.CharField(
        label=gettext_lazy("Tracking code printed with the mark"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric", "autocomplete": "off"}),
    )
    as_printed = forms.BooleanField(
        label=gettext_lazy("The code is printed exactly like this (report it even if it is malformed)"),
        required=False,
    )
    product_description = forms.CharField(label=gettext_lazy("Product (name, brand, model)"), max_length=300)
    place = forms.CharField(label=gettext_lazy("Where it was found (shop, address)"), max_length=300)
    producer_name = forms.CharField(
        label=gettext_lazy("Producer named on the product"), max_length=255, required=False
    )
    unit = UnitKeyField(
        label=gettext_lazy("Producer's national ID, if known"),
        required=False,
        help_text=gettext_lazy("When the code is a licence's, the case is against that licence's holder."),
    )


class MarketCaseMoveForm(forms.Form):
    state = forms.ChoiceField(choices=CaseState.choices)


class MarketCaseCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=CaseOutcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("What was found and done"), widget=forms.Textarea, max_length=4000
    )


# ---------------------------------------------------------------- complaints


class ComplaintFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[
            ("", gettext_lazy("All")),
            (UNTRIAGED, gettext_lazy("Not triaged yet")),
            *TriageState.choices,
        ],
        required=False,
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        choices=[("", gettext_lazy("All")), *ComplaintPriority.choices],
        required=False,
    )
    q = forms.CharField(
        label=gettext_lazy("Reference, tracking code or unit"), max_length=100, required=False
    )


class ComplaintTriageForm(forms.Form):
    unit = UnitKeyField(label=gettext_lazy("Unit complained about (national ID)"), required=False)
    licence = LicenceKeyField(label=gettext_lazy("Licence (number or tracking code)"))
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=ComplaintPriority.choices, initial=ComplaintPriority.NORMAL
    )
    assigned_to = AssigneeChoice(
        label=gettext_lazy("Assigned to"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, province_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _assignees(province_id)


class ComplaintFileForm(forms.Form):
    """A complaint the office took by phone, letter or visit."""

    unit = UnitKeyField(label=gettext_lazy("Unit complained about (national ID)"))
    licence = LicenceKeyField(label=gettext_lazy("Licence (number or tracking code), if known"))
    text = forms.CharField(
        label=gettext_lazy("What is wrong with the product?"), widget=forms.Textarea, max_length=4000
    )
    contact = forms.CharField(
        label=gettext_lazy("Complainant's phone or email (seen by the office only)"),
        max_length=200,
        required=False,
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=ComplaintPriority.choices, initial=ComplaintPriority.NORMAL
    )
    assigned_to = AssigneeChoice(
        label=gettext_lazy("Assigned to"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, province_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _assignees(province_id)


class InspectionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Inspection) -> str:
        return _("{date} · {kind} · {state}").format(
            date=format_date(obj.scheduled_on), kind=obj.get_kind_display(), state=obj.get_state_display()
        )


class ComplaintInvestigateForm(forms.Form):
    inspection = InspectionChoice(
        label=gettext_lazy("Visit that checks the complaint (optional)"),
        queryset=Inspection.objects.none(),
        to_field_name="public_id",
        required=False,
    )

    def __init__(self, *args, unit_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit_id is not None:
            since = timezone.localdate() - dt.timedelta(days=INSPECTION_CHOICE_DAYS)
            self.fields["inspection"].queryset = (
                Inspection.objects.filter(unit_id=unit_id, scheduled_on__gte=since)
                .exclude(state=InspectionState.CANCELLED)
                .order_by("-scheduled_on", "-pk")
            )


class ComplaintCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=ComplaintOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=gettext_lazy("Why"), widget=forms.Textarea, max_length=4000)


# ---------------------------------------------------------------- the lists' filters and order

REFERENCE = re.compile(rf"[0-9a-f]{{{REFERENCE_LENGTH}}}")

# Market cases: open, then under investigation, then closed.
MARKET_STATE_ORDER = Case(
    When(state=CaseState.OPEN, then=Value(0)),
    When(state=CaseState.INVESTIGATING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# Complaints: not triaged first, then received, under investigation, closed; urgent first in each.
COMPLAINT_STATE_ORDER = Case(
    When(case__isnull=True, then=Value(0)),
    When(case__state=TriageState.RECEIVED, then=Value(1)),
    When(case__state=TriageState.INVESTIGATING, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
COMPLAINT_PRIORITY_ORDER = Case(
    When(case__priority=ComplaintPriority.URGENT, then=Value(0)),
    When(case__priority=ComplaintPriority.NORMAL, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def in_office_order(cases: QuerySet) -> QuerySet:
    return cases.annotate(state_order=MARKET_STATE_ORDER).order_by("state_order", "-created_at", "-pk")


def complaints_in_office_order(complaints: QuerySet) -> QuerySet:
    return complaints.annotate(
        state_order=COMPLAINT_STATE_ORDER, priority_order=COMPLAINT_PRIORITY_ORDER
    ).order_by("state_order", "priority_order", "-created_at", "-pk")


def filter_complaints(complaints: QuerySet, data: dict) -> QuerySet:
    """Complaints by state (UNTRIAGED or a triage state), priority and `q`: a reference, a tracking code
    or a unit's name or national ID."""
    state = data.get("state")
    if state == UNTRIAGED:
        complaints = complaints.filter(case__isnull=True)
    elif state:
        complaints = complaints.filter(case__state=state)
    if data.get("priority"):
        complaints = complaints.filter(case__priority=data["priority"])
    query = (data.get("q") or "").strip()
    if query:
        ascii_query = to_ascii_digits(query).strip().lower()
        code = clean_tracking_code(ascii_query)
        if REFERENCE.fullmatch(ascii_query):
            # PostgreSQL compares a uuid's text (dashed, lower case); its first 8 digits hold no dash.
            complaints = complaints.filter(public_id__istartswith=ascii_query)
        elif code:
            complaints = complaints.filter(tracking_code=code)
        else:
            complaints = complaints.filter(case__unit__search_text__contains=search_key(query))
    return complaints
