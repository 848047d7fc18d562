"""Writes of unit risk scores and the supervision instruction (issue 6, point 2).

- `policy_set`: a new version of the instruction (national admin).
- `scores_recompute`: score every active unit. The run's row is committed RUNNING first; every score is
  then gathered, computed and written in ONE transaction, so a run that fails midway leaves no row and the
  previous finished run stays current (readers only ever read the newest DONE run).
"""

import datetime as dt
import json
import logging
import math
import re

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.supervision import policy as policy_module
from hami.supervision import scoring, selectors
from hami.supervision.access import may_recompute, may_set_policy
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import ScoreRun, ScoreRunState, SupervisionPolicy, UnitScore

logger = logging.getLogger(__name__)

# Finished runs kept: the current one and two before it, so that "what was my score last week" and a plan
# made on an earlier run can still be read for a few nights. Older runs and their scores are deleted by the
# run that pushes them out (120,000 rows a run at national scale).
KEEP_DONE_RUNS = 3
# A RUNNING run older than this is taken as abandoned (its process died) and marked FAILED.
STALE_RUN = dt.timedelta(hours=2)
BATCH_SIZE = 2000
# Any fixed number: the key of PostgreSQL's advisory lock that lets one rescoring start at a time.
_RUN_LOCK_KEY = 727_0602


# ---------------------------------------------------------------- the instruction


def _policy_error(exc: policy_module.PolicyError) -> HamiError:
    """policy.validate's operator message, said again in the user's language for the field."""
    label = selectors.policy_label(exc.field)
    between = re.search(r"between (\S+) and (\S+)$", exc.message)
    if exc.message.startswith("unknown setting"):
        message = _("There is no setting “{field}” in the instruction.").format(field=exc.field)
    elif exc.message.startswith("unknown component"):
        message = _("There is no score component “{field}”.").format(field=exc.field.partition(".")[2])
    elif exc.field == "tier_thresholds":
        message = _("The tier thresholds must fall from serious to high to medium.")
    elif between:
        message = _("{label} must be between {low} and {high}.").format(
            label=label, low=between.group(1), high=between.group(2)
        )
    else:
        message = _("{label} must be a number.").format(label=label)
    return HamiError(Code.INVALID, message, field=exc.field)


def _plain(value):
    """A JSON number as the instruction writes it: 25, not 25.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _difference(values: dict, base: dict) -> dict:
    """What of `values` differs from `base` (one level of nesting, as the instruction has)."""
    result = {}
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            changed = {sub: item for sub, item in value.items() if base[key].get(sub) != item}
            if changed:
                result[key] = changed
        elif base.get(key) != value:
            result[key] = value
    return result


# The ladder steps a point threshold may name (models.Step, by name).
_LADDER_STEPS = {"advice", "clinic", "notice", "warning", "tightened", "suspension", "revocation"}


def _check_shape(values: dict) -> None:
    """What policy.validate takes for granted: sections are sets of known names, numbers are finite."""
    for key, value in values.items():
        default = policy_module.DEFAULTS.get(key)
        if not isinstance(default, dict):
            continue  # unknown keys and scalars: policy.validate says what is wrong
        if not isinstance(value, dict):
            raise HamiError(
                Code.INVALID,
                _("“{label}” must be a set of named values.").format(label=selectors.policy_label(key)),
                field=key,
            )
        known = _LADDER_STEPS if key == "point_thresholds" else set(default)
        for sub in value:
            if sub not in known:
                raise HamiError(
                    Code.INVALID,
                    _("There is no setting “{field}” in the instruction.").format(field=f"{key}.{sub}"),
                    field=f"{key}.{sub}",
                )
    for field, value in _leaves(values):
        if isinstance(value, float) and not math.isfinite(value):
            raise HamiError(
                Code.INVALID,
                _("{label} must be a number.").format(label=selectors.policy_label(field)),
                field=field,
            )


def _leaves(values: dict, prefix: str = ""):
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@transaction.atomic
def policy_set(*, actor: User, values: dict, reason: str) -> SupervisionPolicy:
    """Adopt a new version of the instruction: `values` are the settings that differ from the defaults
    (what is missing takes its default). Raises Forbidden (not a national admin), HamiError(INVALID, with
    the setting as field; POLICY_UNCHANGED; WRONG_STATE when another admin saved a version meanwhile)."""
    if not may_set_policy(actor):
        raise Forbidden(Code.FORBIDDEN, _("Only a national admin changes the supervision instruction."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise HamiError(Code.INVALID, _("Write why the instruction changes."), field="reason")
    if len(reason) > 300:
        raise HamiError(Code.INVALID, _("Keep the reason under 300 characters."), field="reason")
    if not isinstance(values, dict):
        raise HamiError(Code.INVALID, _("The instruction must be a set of named settings."), field="values")
    values = _plain(values)
    _check_shape(values)
    try:
        merged = policy_module.validate(values)
    except policy_module.PolicyError as exc:
        raise _policy_error(exc) from exc
    # Two admins saving at once: the newest row is locked, the second waits and then sees the first's.
    newest = SupervisionPolicy.objects.select_for_update().order_by("-version").first()
    previous = selectors.current_policy() if newest is None else selectors.policy_of_version(newest.version)
    if merged == previous.values:
        raise HamiError(Code.POLICY_UNCHANGED, _("This is the instruction already in force."))
    version = (newest.version if newest is not None else 0) + 1
    try:
        with transaction.atomic():
            row = SupervisionPolicy.objects.create(
                version=version,
                values=_difference(merged, policy_module.DEFAULTS),
                reason=reason,
                created_by=actor,
            )
    except IntegrityError as exc:  # the first version, saved by two admins at once
        raise HamiError(
            Code.WRONG_STATE, _("Another version was saved meanwhile; reload the page and try again.")
        ) from exc
    audit(
        actor=actor,
        event_type=EventType.POLICY_CHANGED,
        obj=row,
        reason=reason,
        details={"version": version, "changed": _difference(merged, previous.values)},
    )
    return row


# ---------------------------------------------------------------- the run


def _start(*, actor: User | None, as_of: dt.datetime, policy: policy_module.Policy) -> ScoreRun:
    """The run's row, committed RUNNING before any score is written (in its own transaction)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":  # SQLite's IMMEDIATE transaction already serializes this
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RUN_LOCK_KEY])
        now = timezone.now()
        for stale in ScoreRun.objects.filter(state=ScoreRunState.RUNNING, created_at__lt=now - STALE_RUN):
            stale.state, stale.finished_at = ScoreRunState.FAILED, now
            stale.error = f"abandoned: still running after {STALE_RUN}"
            stale.save(update_fields=["state", "finished_at", "error", "updated_at"])
        if ScoreRun.objects.filter(state=ScoreRunState.RUNNING).exists():
            raise HamiError(
                Code.SCORES_RUNNING, _("A rescoring is already running; its scores appear when it ends.")
            )
        return ScoreRun.objects.create(
            state=ScoreRunState.RUNNING, as_of=as_of, policy_version=policy.version, started_by=actor
        )


def _compute(facts: dict, policy: policy_module.Policy) -> list[tuple]:
    """(unit id, province id, score, tier, components) of every unit, computed by scoring.score (pure)."""
    rows = []
    for unit_id, (province_id, unit_facts) in facts.items():
        scored = scoring.score(unit_facts, policy)
        rows.append((unit_id, province_id, scored.score, scored.tier, scored.components))
    return rows


_COPY_SCORES = "COPY supervision_unitscore (run_id, unit_id, province_id, score, tier, components) FROM STDIN"


def _write(run: ScoreRun, rows: list[tuple]) -> None:
    """The run's UnitScore rows, in the caller's transaction. On PostgreSQL by COPY: bulk_create sends the
    components' JSON inside array literals that psycopg escapes character by character in Python, and
    COPY wrote 11,640 rows in 0.27 s where bulk_create took 1.9 s (bench/README.md). Elsewhere (SQLite)
    bulk_create in batches. Either way one statement per batch, never one per unit."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(_COPY_SCORES) as copy:
            for unit_id, province_id, score, tier, components in rows:
                copy.write_row((run.pk, unit_id, province_id, score, tier, json.dumps(components)))
        return
    UnitScore.objects.bulk_create(
        (
            UnitScore(
                run=run, unit_id=unit_id, province_id=province_id, score=score, tier=tier, components=parts
            )
            for unit_id, province_id, score, tier, parts in rows
        ),
        batch_size=BATCH_SIZE,
    )


def _prune() -> int:
    """Delete finished runs beyond the newest KEEP_DONE_RUNS, with their scores. Returns how many runs."""
    done = ScoreRun.objects.filter(state=ScoreRunState.DONE).order_by("-finished_at", "-pk")
    old = list(done.values_list("pk", flat=True)[KEEP_DONE_RUNS:])
    if old:
        UnitScore.objects.filter(run_id__in=old).delete()  # one DELETE: nothing points at a score
        ScoreRun.objects.filter(pk__in=old).delete()
    return len(old)


def _finish(*, run: ScoreRun, policy: policy_module.Policy, actor: User | None) -> None:
    """Gather, compute and write every score, then mark the run DONE: all in the caller's transaction."""
    facts = selectors.unit_facts(as_of=run.as_of, policy=policy)
    rows = _compute(facts, policy)
    _write(run, rows)
    run.state, run.finished_at, run.unit_count = ScoreRunState.DONE, timezone.now(), len(rows)
    run.save(update_fields=["state", "finished_at", "unit_count", "updated_at"])
    pruned = _prune()
    tiers: dict[str, int] = {}
    for _unit, _province, _score, tier, _parts in rows:
        tiers[tier] = tiers.get(tier, 0) + 1
    audit(
        actor=actor,
        event_type=EventType.SCORES_COMPUTED,
        obj=run,
        details={
            "as_of": run.as_of.isoformat(),
            "policy_version": policy.version,
            "units": len(rows),
            "tiers": tiers,
            "runs_deleted": pruned,
        },
    )


def _fail(run: ScoreRun, exc: BaseException) -> None:
    """Mark the run FAILED in a transaction of its own (the scoring one was rolled back)."""
    with transaction.atomic():
        ScoreRun.objects.filter(pk=run.pk).update(
            state=ScoreRunState.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
        )
    run.refresh_from_db()


def scores_recompute(*, actor: User | None = None, as_of: dt.datetime | None = None) -> ScoreRun:
    """Score every active unit as of `as_of` (now by default) under the instruction in force; the new run
    becomes the current one. `actor` None is the nightly job. Not atomic on purpose: the RUNNING row is
    committed first, the scores in one transaction after it. Raises Forbidden (not office staff or a
    national admin), HamiError(SCORES_RUNNING; SCORING_FAILED: nothing was written, the run is FAILED and
    the previous scores stay current)."""
    if actor is not None and not may_recompute(actor):
        raise Forbidden(Code.FORBIDDEN, _("Only office staff or a national admin start a rescoring."))
    as_of = as_of or timezone.now()
    if timezone.is_naive(as_of):
        as_of = timezone.make_aware(as_of)
    policy = selectors.current_policy()
    run = _start(actor=actor, as_of=as_of, policy=policy)
    try:
        with transaction.atomic():
            _finish(run=run, policy=policy, actor=actor)
    except Exception as exc:
        logger.exception("score run %s failed", run.pk)
        _fail(run, exc)
        raise HamiError(
            Code.SCORING_FAILED, _("The rescoring failed; the previous scores stay in place.")
        ) from exc
    return run
