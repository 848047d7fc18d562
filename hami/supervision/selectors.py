"""Reads of supervision that are more than one queryset: the instruction in force, the current risk scores,
and the raw facts every unit's score is made of (a fixed number of set-based queries, whatever the number
of units). Other areas import from here: `current_policy()` for the instruction, `current_scores()` /
`unit_score(unit)` for tiers and scores.
"""

import datetime as dt

from django.db.models import Count, F, Max, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.labs.decision import Conformity
from hami.labs.models import TestReport
from hami.licensing.models import Licence, LicenceState
from hami.registry.models import Product, ProductionUnit, UnitStatus
from hami.supervision import policy as policy_module
from hami.supervision.models import (
    ActionState,
    ComplaintCase,
    ComplaintOutcome,
    CorrectiveAction,
    Finding,
    FindingState,
    Inspection,
    InspectionState,
    ScoreRun,
    ScoreRunState,
    SupervisionPolicy,
    TriageState,
    UnitScore,
)
from hami.supervision.policy import Policy
from hami.supervision.scoring import UnitFacts

# The verdicts on a product that count as a failed test (as outreach's referrals read them).
FAILED_CONFORMITY = (Conformity.DOES_NOT_CONFORM, Conformity.NOT_DEMONSTRATED)


# ---------------------------------------------------------------- the instruction


def _policy(row: SupervisionPolicy | None) -> Policy:
    if row is None:
        return policy_module.default_policy()
    return Policy(version=row.version, values=policy_module.merged(row.values))


def current_policy() -> Policy:
    """The instruction in force: the newest version laid over the defaults (version 0 = the defaults)."""
    return _policy(SupervisionPolicy.objects.order_by("-version").first())


def policy_of_version(version: int) -> Policy:
    """The instruction as it was at `version` (a score run or a plan names the version it used)."""
    if not version:
        return policy_module.default_policy()
    row = SupervisionPolicy.objects.filter(version=version).first()
    return _policy(row) if row is not None else current_policy()


def component_label(key: str) -> str:
    labels = {
        "hazard": _("Product hazard"),
        "test_failures": _("Failed tests"),
        "open_findings": _("Open findings"),
        "late_actions": _("Late corrective actions"),
        "upheld_complaints": _("Upheld complaints"),
        "since_inspection": _("Time since the last inspection"),
        "licence_state": _("Licence state"),
        "standing": _("Good standing (fast track)"),
    }
    return labels.get(key, key)


def _tier_label(tier: str) -> str:
    from hami.supervision.models import Tier

    return str(Tier(tier).label) if tier in Tier.values else tier


def _severity_label(severity: str) -> str:
    from hami.supervision.models import FindingSeverity

    return str(FindingSeverity(severity).label) if severity in FindingSeverity.values else severity


def policy_label(field: str) -> str:
    """A setting of the instruction (`weights.hazard`, `lookback_days`…) in the user's language."""
    head, _dot, tail = field.partition(".")
    if head == "weights" and tail:
        return _("Weight of “{component}”").format(component=component_label(tail))
    if head == "tier_thresholds" and tail:
        return _("Lowest score of the {tier} tier").format(tier=_tier_label(tail))
    if head == "visit_interval_days" and tail:
        return _("Days between routine visits, {tier} tier").format(tier=_tier_label(tail))
    if head == "action_days" and tail:
        return _("Days to carry out a corrective action, {severity} finding").format(
            severity=_severity_label(tail)
        )
    if head == "points" and tail:
        reasons = {
            "deadline_missed": _("Negative points for a missed corrective-action deadline"),
            "repeated_finding": _("Negative points for a repeated finding"),
        }
        if tail in reasons:
            return reasons[tail]
        return _("Negative points for a {severity} finding").format(severity=_severity_label(tail))
    if head == "point_thresholds" and tail:
        steps = {
            "warning": _("Points that bring a warning"),
            "tightened": _("Points that bring intensified sampling"),
            "suspension": _("Points that bring a suspension"),
        }
        return steps.get(tail, _("Points that bring the step “{step}”").format(step=tail))
    plain = {
        "weights": _("Weights of the score components"),
        "tier_thresholds": _("Tier thresholds"),
        "visit_interval_days": _("Days between routine visits"),
        "visits_per_day": _("Visits an inspector makes in a day"),
        "unannounced_share": _("Share of unannounced visits (0 to 1)"),
        "action_days": _("Days to carry out a corrective action"),
        "points": _("Negative points"),
        "points_expiry_days": _("Days negative points count"),
        "point_thresholds": _("Point thresholds of the ladder"),
        "clean_days": _("Clean days before a unit steps down the ladder"),
        "lookback_days": _("Days the risk score looks back"),
        "inspection_full_days": _("Days without an inspection that give its full weight"),
    }
    return plain.get(field, field)


def policy_fields(policy: Policy) -> list[tuple[str, object]]:
    """Every setting as (dotted field, value), in the order of policy.DEFAULTS."""
    rows = []
    for key, value in policy.values.items():
        if isinstance(value, dict):
            rows.extend((f"{key}.{sub}", subvalue) for sub, subvalue in value.items())
        else:
            rows.append((key, value))
    return rows


def policy_sections(policy: Policy) -> list[dict]:
    """The instruction for a page: [{"key", "title", "rows": [{"field", "label", "value"}]}]."""
    sections: list[dict] = []
    scalars = {"key": "other", "title": _("Plans, the ladder and the score's windows"), "rows": []}
    for key, value in policy.values.items():
        if isinstance(value, dict):
            rows = [
                {"field": f"{key}.{sub}", "label": policy_label(f"{key}.{sub}"), "value": subvalue}
                for sub, subvalue in value.items()
            ]
            sections.append({"key": key, "title": policy_label(key), "rows": rows})
        else:
            scalars["rows"].append({"field": key, "label": policy_label(key), "value": value})
    return [*sections, scalars]


# ---------------------------------------------------------------- the current scores


def current_run() -> ScoreRun | None:
    """The newest finished run: its scores are the current ones (a running or failed run never is)."""
    return ScoreRun.objects.filter(state=ScoreRunState.DONE).order_by("-finished_at", "-pk").first()


def current_scores() -> QuerySet[UnitScore]:
    """The scores of the current run, as one lazy queryset (the run is a subquery, not a second query)."""
    newest = ScoreRun.objects.filter(state=ScoreRunState.DONE).order_by("-finished_at", "-pk").values("pk")
    return UnitScore.objects.filter(run_id=Subquery(newest[:1]))


def unit_score(unit: ProductionUnit) -> UnitScore | None:
    """The unit's current score, or None (a new unit, or no run yet)."""
    return current_scores().filter(unit=unit).select_related("run").first()


# ---------------------------------------------------------------- the facts a run scores


def unit_facts(*, as_of: dt.datetime, policy: Policy) -> dict[int, tuple[int, UnitFacts]]:
    """{unit id: (province id, facts)} for every active unit, as of `as_of`, with the instruction's
    look-back window. Eight queries whatever the number of units: one per fact table, each grouped by
    unit in the database. States are today's (an open finding, an overdue action, a suspended licence);
    `as_of` bounds the window of events (reports issued, actions verified, complaints closed, visits) and
    leaves out those after it."""
    today = timezone.localdate(as_of)
    start = as_of - dt.timedelta(days=int(policy["lookback_days"]))
    start_day = timezone.localdate(start)
    # The standing is registry's fast track today (set by hand by the office). When the incentives issue
    # lands, the standing it writes into registry (the quality grade and its effects) replaces it here.
    facts: dict[int, tuple[int, UnitFacts]] = {
        pk: (province_id, UnitFacts(fast_track=fast_track))
        for pk, province_id, fast_track in ProductionUnit.objects.filter(status=UnitStatus.ACTIVE)
        .order_by()
        .values_list("pk", "province_id", "fast_track")
    }

    def each(queryset):
        """(facts, values) of the rows about active units; rows of other units are skipped."""
        for unit_id, *values in queryset.order_by():
            entry = facts.get(unit_id)
            if entry is not None:
                yield entry[1], values

    for unit, (level,) in each(
        Product.objects.values("unit_id")
        .annotate(level=Max("category__hazard_level"))
        .values_list("unit_id", "level")
    ):
        unit.hazard = level or 0

    failed = TestReport.objects.filter(
        conformity__in=FAILED_CONFORMITY,
        amended_by__isnull=True,  # the latest version of its order's report
        issued_at__gt=start,
        issued_at__lte=as_of,
    )
    for unit, (count,) in each(
        failed.values("order__sample__unit_id")
        .annotate(n=Count("pk"))
        .values_list("order__sample__unit_id", "n")
    ):
        unit.test_failures = count

    severity_counts = {
        severity: Count("pk", filter=Q(severity=severity)) for severity in ("critical", "major", "minor")
    }
    for unit, (critical, major, minor) in each(
        # Findings of a finished visit: the unit sees them (and can act) only once the visit is done.
        Finding.objects.filter(state=FindingState.OPEN, inspection__state=InspectionState.DONE)
        .values("unit_id")
        .annotate(**severity_counts)
        .values_list("unit_id", "critical", "major", "minor")
    ):
        unit.findings = {"critical": critical, "major": major, "minor": minor}

    overdue = Q(state__in=[ActionState.ACCEPTED, ActionState.REOPENED], due_on__lt=today)
    late = Q(
        state=ActionState.VERIFIED,
        verified_at__gt=start,
        verified_at__lte=as_of,
        verified_at__date__gt=F("due_on"),  # the local day it was verified, after the day it was due
    )
    for unit, (overdue_count, late_count) in each(
        CorrectiveAction.objects.filter(overdue | late)
        .values("unit_id")
        .annotate(overdue=Count("pk", filter=overdue), late=Count("pk", filter=late))
        .values_list("unit_id", "overdue", "late")
    ):
        unit.overdue_actions, unit.late_actions = overdue_count, late_count

    for unit, (count,) in each(
        ComplaintCase.objects.filter(
            outcome=ComplaintOutcome.UPHELD,
            state=TriageState.CLOSED,
            unit__isnull=False,
            closed_at__gt=start,
            closed_at__lte=as_of,
        )
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    ):
        unit.upheld_complaints = count

    for unit, (last,) in each(
        Inspection.objects.filter(state=InspectionState.DONE, scheduled_on__lte=today)
        .values("unit_id")
        .annotate(last=Max("scheduled_on"))
        .values_list("unit_id", "last")
    ):
        unit.days_since_inspection = (today - last).days

    # A revoked licence counts while its revocation is in the window: revocation is final, so the row's
    # updated_at is the day it was revoked. An expired one counts while its expiry is in the window; so does
    # one still marked active past its date (licensing's daily run has not expired it yet).
    suspended = Q(state=LicenceState.SUSPENDED)
    revoked = Q(state=LicenceState.REVOKED, updated_at__gt=start)
    expired = Q(
        state__in=[LicenceState.EXPIRED, LicenceState.ACTIVE], expires_on__gte=start_day, expires_on__lt=today
    )
    for unit, (s, r, e) in each(
        Licence.objects.filter(suspended | revoked | expired)
        .values("unit_id")
        .annotate(
            suspended=Count("pk", filter=suspended),
            revoked=Count("pk", filter=revoked),
            expired=Count("pk", filter=expired),
        )
        .values_list("unit_id", "suspended", "revoked", "expired")
    ):
        unit.licences = {"suspended": s, "revoked": r, "expired": e}
    return facts
