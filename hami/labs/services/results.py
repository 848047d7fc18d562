"""Results and reports: a lab reports each test's result (one by one or from a file), issues the
report, and corrects it only by an amended report. The verdicts follow the standard's decision rule
(hami/labs/decision.py); a sample is decided when every one of its orders is reported."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.core.persian import normalize_text
from hami.core.tabular import ImportResult, RowError, TabularError, read_table
from hami.labs import decision, units
from hami.labs.access import is_lab_staff
from hami.labs.error_codes import LabsErrorCode
from hami.labs.models import OrderState, Sample, ScopeLine, TestItem, TestOrder, TestReport
from hami.standards.models import LimitKind

RESULT_COLUMNS = ["clause", "value", "unit", "uncertainty", "method", "outcome"]
REQUIRED_RESULT_COLUMNS = ["clause"]


def _lab_order(actor: User, order: TestOrder) -> TestOrder:
    order = (
        TestOrder.objects.select_for_update()
        .select_related("lab", "sample", "sample__standard", "province")
        .get(pk=order.pk)
    )
    if not is_lab_staff(actor, order.lab):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only the lab's staff report its results."))
    return order


def _checked(item: TestItem, order: TestOrder, value, unit, uncertainty, outcome) -> dict:
    """The result as it will be stored, with its verdict; raises HamiError with the field at fault."""
    requirement = item.requirement
    rule = order.sample.standard.decision_rule
    outcome = (outcome or "").strip().lower()
    if requirement.limit_kind == LimitKind.PASS_FAIL:
        if value not in (None, "") or uncertainty not in (None, ""):
            raise HamiError(
                LabsErrorCode.BAD_RESULT,
                _("Requirement {clause} is judged pass or fail: give the outcome, not a value.").format(
                    clause=requirement.clause
                ),
                field="value",
            )
        result = decision.verdict(requirement.limit_kind, None, None, rule, outcome=outcome or None)
        return {"value": None, "uncertainty": None, "unit": "", "outcome": outcome, "verdict": result}
    if outcome:
        raise HamiError(
            LabsErrorCode.BAD_RESULT,
            _("Requirement {clause} is measured: give the value, not an outcome.").format(
                clause=requirement.clause
            ),
            field="outcome",
        )
    line = ScopeLine.objects.filter(lab_id=order.lab_id, requirement=requirement).first()
    measured, u = units.check_result(
        value if value not in ("",) else None,
        uncertainty if uncertainty not in ("",) else None,
        unit or requirement.unit,
        requirement.unit,
        uncertainty_may_exceed_value=bool(line and line.uncertainty_may_exceed_value),
        requirement_low=requirement.low,
    )
    result = decision.verdict(requirement.limit_kind, requirement.low, requirement.high, rule, measured, u)
    return {"value": measured, "uncertainty": u, "unit": requirement.unit, "outcome": "", "verdict": result}


def _scope_method(order: TestOrder, item: TestItem) -> str:
    line = ScopeLine.objects.filter(lab_id=order.lab_id, requirement_id=item.requirement_id).first()
    return line.method if line else item.requirement.test_method


def _store(actor: User, item: TestItem, order: TestOrder, values: dict, method: str) -> bool:
    """Write the checked result; False (and nothing written) when it is what is stored already. A result
    sent without its method was obtained by the method of the lab's accredited scope for the test, which
    the report must name (ISO/IEC 17025 §7.8.2.1 e)."""
    method = normalize_text(method) or _scope_method(order, item)
    same = (
        item.reported_at is not None
        and item.value == values["value"]
        and item.uncertainty == values["uncertainty"]
        and item.outcome == values["outcome"]
        and item.method == method
    )
    if same:
        return False
    item.value, item.uncertainty, item.unit = values["value"], values["uncertainty"], values["unit"]
    item.outcome, item.verdict, item.method = values["outcome"], values["verdict"], method
    item.reported_at, item.reported_by = timezone.now(), actor
    item.save()
    audit(
        actor=actor,
        event_type=EventType.RESULT_REPORTED,
        obj=order,
        province=order.province,
        details={
            "requirement": item.requirement_id,
            "value": str(item.value) if item.value is not None else None,
            "uncertainty": str(item.uncertainty) if item.uncertainty is not None else None,
            "unit": item.unit,
            "outcome": item.outcome,
            "verdict": item.verdict,
        },
    )
    return True


def _require_open(order: TestOrder) -> None:
    if order.state == OrderState.REPORTED:
        raise HamiError(
            LabsErrorCode.ALREADY_REPORTED,
            _("The report of this order is issued; correct a result by amending the report."),
        )
    if order.state != OrderState.ACCEPTED:
        raise HamiError(LabsErrorCode.WRONG_STATE, _("Accept the order before reporting its results."))


@transaction.atomic
def result_report(
    *, actor: User, item: TestItem, value=None, unit: str = "", uncertainty=None, method: str = "", outcome=""
) -> TestItem:
    """Report one test's result. The same result sent twice changes nothing; a different one replaces
    it until the report is issued. A result outside physical sense is refused with its reason."""
    order = _lab_order(actor, item.order)
    _require_open(order)
    item = TestItem.objects.select_related("requirement").get(pk=item.pk)
    values = _checked(item, order, value, unit, uncertainty, outcome)
    _store(actor, item, order, values, method)
    return item


@transaction.atomic
def results_import(*, actor: User, order: TestOrder, file, filename: str = "") -> ImportResult:
    """Every result of a CSV or XLSX file (columns: clause, value, unit, uncertainty, method, outcome), or
    none: one bad row and nothing is written. Rows equal to what is stored change nothing, so sending
    the same file twice is harmless."""
    order = _lab_order(actor, order)
    _require_open(order)
    try:
        table = read_table(
            file,
            filename=filename,
            required=REQUIRED_RESULT_COLUMNS,
            optional=[c for c in RESULT_COLUMNS if c not in REQUIRED_RESULT_COLUMNS],
            max_bytes=settings.HAMI_IMPORT_MAX_BYTES,
        )
    except TabularError as exc:
        return ImportResult(errors=exc.errors)
    result = ImportResult(rows=len(table.rows) + len(table.errors), errors=list(table.errors))
    if not result.rows:
        result.errors.append(RowError(0, "", _("The file has a header but no results.")))
        return result
    items = {item.requirement.clause: item for item in order.items.select_related("requirement")}
    checked, seen = [], {}
    for row in table.rows:
        clause = row["clause"]
        item = items.get(clause)
        if item is None:
            result.errors.append(
                RowError(
                    row.line,
                    "clause",
                    _("Clause {clause} is not a test of this order.").format(clause=clause),
                )
            )
            continue
        if clause in seen:
            result.errors.append(
                RowError(
                    row.line,
                    "clause",
                    _("Clause {clause} is also on row {row}.").format(clause=clause, row=seen[clause]),
                )
            )
            continue
        seen[clause] = row.line
        try:
            values = _checked(
                item, order, row["value"] or None, row["unit"], row["uncertainty"] or None, row["outcome"]
            )
        except HamiError as exc:
            column = exc.field if exc.field in RESULT_COLUMNS else ""
            result.errors.append(RowError(row.line, column, exc.message))
            continue
        checked.append((item, values, row["method"]))
    result.valid = len(checked)
    if result.errors:
        return result
    result.created = sum(_store(actor, item, order, values, method) for item, values, method in checked)
    return result


def _limit_text(requirement) -> str:
    unit = f" {requirement.unit}" if requirement.unit else ""
    match requirement.limit_kind:
        case LimitKind.MIN:
            return f"≥ {requirement.low.normalize():f}{unit}"
        case LimitKind.MAX:
            return f"≤ {requirement.high.normalize():f}{unit}"
        case LimitKind.RANGE:
            return f"{requirement.low.normalize():f} – {requirement.high.normalize():f}{unit}"
        case LimitKind.EQUALS:
            return f"= {requirement.low.normalize():f}{unit}"
    return str(LimitKind.PASS_FAIL.label)


def _content(
    order: TestOrder,
    items: list[TestItem],
    number: str,
    version: int,
    actor: User,
    amends,
    reason,
    issued_at=None,
) -> dict:
    sample, lab, standard = order.sample, order.lab, order.sample.standard
    assessed = decision.overall(
        (item.requirement.clause, item.requirement.severity, item.verdict) for item in items
    )
    return {
        "number": number,
        "version": version,
        "amends": amends.number if amends else None,
        "reason": reason,
        "order": order.number,
        "lab": {
            "fa": lab.name_fa,
            "en": lab.name_en,
            "accreditation": lab.accreditation_number,
            "body": lab.accreditation_body,
            "expiry": lab.accreditation_expiry.isoformat() if lab.accreditation_expiry else None,
        },
        "sample": {
            "code": sample.code,
            "seal": sample.seal_number,
            "origin": sample.origin,
            "taken_at": sample.taken_at.isoformat(),
            "lot_number": sample.lot_number,
            "lot_size": sample.lot_size,
            "sample_size": sample.sample_size,
        },
        "unit": {
            "fa": sample.unit.name_fa,
            "en": sample.unit.name_en,
            "national_id": sample.unit.national_id,
        },
        "product": sample.product.name,
        "standard": {"code": standard.code, "title": {"fa": standard.title_fa, "en": standard.title_en}},
        "decision_rule": standard.decision_rule,
        "items": [
            {
                "clause": item.requirement.clause,
                "title": {"fa": item.requirement.title_fa, "en": item.requirement.title_en},
                "severity": item.requirement.severity,
                "limit": _limit_text(item.requirement),
                "value": f"{item.value.normalize():f}" if item.value is not None else None,
                "uncertainty": f"{item.uncertainty.normalize():f}" if item.uncertainty is not None else None,
                "unit": item.unit,
                "outcome": item.outcome,
                "method": item.method,
                "verdict": item.verdict,
            }
            for item in items
        ],
        "verdict": assessed.verdict.value,
        "conformity": assessed.conformity.value,
        "deciding": list(assessed.deciding),
        "issued_at": (issued_at or timezone.now()).isoformat(),
        "issued_by": actor.get_full_name() or actor.username,
    }


def _issue(
    order: TestOrder, actor: User, *, amends: TestReport | None = None, reason: str = ""
) -> TestReport:
    items = list(order.items.select_related("requirement").order_by("requirement__clause"))
    missing = [item.requirement.clause for item in items if item.reported_at is None]
    if missing:
        raise HamiError(
            LabsErrorCode.WRONG_STATE,
            _("Report every test first; missing: {clauses}.").format(clauses=", ".join(missing)),
        )
    version = (amends.version + 1) if amends else 1
    number = f"{order.number}-R{version}"
    now = timezone.now()
    content = _content(order, items, number, version, actor, amends, reason, issued_at=now)
    report = TestReport.objects.create(
        number=number,
        order=order,
        version=version,
        amends=amends,
        reason=reason,
        verdict=content["verdict"],
        conformity=content["conformity"],
        content=content,
        issued_at=now,
        issued_by=actor,
    )
    order.state, order.state_since = OrderState.REPORTED, timezone.now()
    order.save(update_fields=["state", "state_since", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.REPORT_AMENDED if amends else EventType.REPORT_ISSUED,
        obj=order,
        province=order.province,
        reason=reason,
        details={"report": number, "verdict": report.verdict, "conformity": report.conformity},
    )
    _decide_sample(order.sample, actor)
    return report


@transaction.atomic
def report_issue(*, actor: User, order: TestOrder) -> TestReport:
    """Issue the order's report from its results. Issuing an order already reported returns its
    report unchanged (a second click or a retried request never makes a second report)."""
    order = _lab_order(actor, order)
    if order.state == OrderState.REPORTED:
        return order.reports.order_by("-version").first()
    _require_open(order)
    return _issue(order, actor)


@transaction.atomic
def result_correct(
    *,
    actor: User,
    item: TestItem,
    reason: str,
    value=None,
    unit: str = "",
    uncertainty=None,
    method="",
    outcome="",
) -> TestReport:
    """Correct one result of an issued report: a new amended report with the reason, never an edit."""
    order = _lab_order(actor, item.order)
    if order.state != OrderState.REPORTED:
        raise HamiError(LabsErrorCode.WRONG_STATE, _("Only the results of an issued report are corrected."))
    reason = normalize_text(reason)
    if not reason:
        raise HamiError(LabsErrorCode.INVALID, _("Write the reason for the amendment."), field="reason")
    item = TestItem.objects.select_related("requirement").get(pk=item.pk)
    values = _checked(item, order, value, unit, uncertainty, outcome)
    if not _store(actor, item, order, values, method):
        raise HamiError(LabsErrorCode.INVALID, _("The corrected result is the same as the reported one."))
    latest = order.reports.order_by("-version").first()
    return _issue(order, actor, amends=latest, reason=reason)


def _decide_sample(sample: Sample, actor: User) -> None:
    """When every requirement of the sample's standard is tested and every live order of the sample has
    a report, its overall verdict and the lot's acceptance follow; an application at the testing step
    then gets its outcome."""
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    orders = list(sample.orders.exclude(state__in=[OrderState.REJECTED, OrderState.CANCELLED]))
    if not orders or any(order.state != OrderState.REPORTED for order in orders):
        return
    items = TestItem.objects.filter(order__in=orders).select_related("requirement")
    # A test the assignment could not place (no lab had room or scope) is still owed: deciding without
    # it would pass a product on the tests that happened to find a lab.
    required = set(sample.standard.requirements.values_list("pk", flat=True))
    if required - {item.requirement_id for item in items}:
        return
    assessed = decision.overall((item.pk, item.requirement.severity, item.verdict) for item in items)
    sample.verdict, sample.conformity = assessed.verdict.value, assessed.conformity.value
    if sample.nonconforming_items is not None:
        sample.lot_accepted = sample.nonconforming_items <= sample.accept
    else:
        sample.lot_accepted = assessed.conforms
    sample.decided_at = timezone.now()
    sample.save(update_fields=["verdict", "conformity", "lot_accepted", "decided_at", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.SAMPLE_DECIDED,
        obj=sample,
        province=sample.province,
        details={
            "verdict": sample.verdict,
            "conformity": sample.conformity,
            "lot_accepted": sample.lot_accepted,
        },
    )
    if sample.application_id:
        from hami.licensing.services.applications import application_tests_from_samples

        samples = list(Sample.objects.filter(application_id=sample.application_id))
        if all(s.decided_at for s in samples):
            application_tests_from_samples(application=sample.application, samples=samples)
