"""The supervision instruction: the numbers a province's supervision runs on, as one versioned value.

Pure (no Django import). The national admin changes it through services.policy_set, which keeps every
version; whatever is not set takes the default below. None of these numbers is fixed by an INSO rule we
could find: they are this project's starting values, chosen so that the tiers, visit frequencies and
points behave sensibly on the demo province, and meant to be tuned by the instruction that adopts them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

TIERS = ("low", "medium", "high", "serious")
SEVERITIES = ("critical", "major", "minor")

# The unit-risk score is the sum of its components' points; each component gives at most its weight, so the
# score is at most the sum of the weights (100 with these).
DEFAULT_WEIGHTS = {
    "hazard": 25,  # the highest typical hazard level (1–4) of the unit's product categories
    "test_failures": 20,  # failed test reports in the last 24 months
    "open_findings": 15,  # open inspection findings, weighted by severity
    "late_actions": 10,  # corrective actions overdue, or done late, in the last 24 months
    "upheld_complaints": 10,  # complaints upheld in the last 24 months
    "since_inspection": 10,  # time since the last completed inspection
    "licence_state": 10,  # suspended, revoked or expired licences
    "standing": -10,  # the unit's standing (fast track today; the incentives grade when it lands)
}

DEFAULTS: dict = {
    "weights": DEFAULT_WEIGHTS,
    # score >= threshold → tier; checked from serious down; below "medium" → low.
    "tier_thresholds": {"serious": 60, "high": 40, "medium": 20},
    # Days between routine visits by tier (serious monthly … low yearly).
    "visit_interval_days": {"serious": 30, "high": 91, "medium": 182, "low": 365},
    # How many visits an inspector does on one available day.
    "visits_per_day": 3,
    # Share of a plan's visits made unannounced (0–1); a serious-tier unit's visits always are.
    "unannounced_share": 0.2,
    # Days a unit has to carry out a corrective action, by finding severity.
    "action_days": {"critical": 7, "major": 30, "minor": 60},
    # Negative points per reason, how long they count, and what a total triggers.
    "points": {"critical": 10, "major": 4, "minor": 1, "deadline_missed": 3, "repeated_finding": 5},
    "points_expiry_days": 730,
    # total active points >= value → the ladder step at least proposed (name of ladder.Step).
    "point_thresholds": {"warning": 10, "tightened": 20, "suspension": 40},
    # A unit steps down one rung after its findings are verified corrected and this many clean days pass.
    "clean_days": 90,
    # Scoring look-back window.
    "lookback_days": 730,
    # "since_inspection" reaches its full weight after this many days without a completed inspection.
    "inspection_full_days": 730,
}


class PolicyError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def merged(values: dict | None) -> dict:
    """The defaults with `values` laid over them (nested dicts merged key by key)."""
    result = copy.deepcopy(DEFAULTS)
    for key, value in (values or {}).items():
        if isinstance(result.get(key), dict) and isinstance(value, dict):
            result[key] = {**result[key], **value}
        else:
            result[key] = value
    return result


def _number(value, field: str, *, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(field, f"{field} must be a number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise PolicyError(field, f"{field} must be between {low} and {high}")
    return value


def validate(values: dict) -> dict:
    """The merged policy, checked: raises PolicyError(field, message) for an unknown key or a bad value.
    The messages are for operators (the service translates the common ones)."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise PolicyError(sorted(unknown)[0], f"unknown setting {sorted(unknown)[0]}")
    policy = merged(values)
    for key in policy["weights"]:
        if key not in DEFAULT_WEIGHTS:
            raise PolicyError(f"weights.{key}", f"unknown component {key}")
        _number(policy["weights"][key], f"weights.{key}", low=-100, high=100)
    thresholds = policy["tier_thresholds"]
    for tier in ("serious", "high", "medium"):
        _number(thresholds.get(tier), f"tier_thresholds.{tier}", low=0, high=1000)
    if not thresholds["serious"] > thresholds["high"] > thresholds["medium"]:
        raise PolicyError("tier_thresholds", "thresholds must fall from serious to medium")
    for tier in TIERS:
        _number(policy["visit_interval_days"].get(tier), f"visit_interval_days.{tier}", low=1, high=3650)
    _number(policy["visits_per_day"], "visits_per_day", low=1, high=20)
    _number(policy["unannounced_share"], "unannounced_share", low=0, high=1)
    for severity in SEVERITIES:
        _number(policy["action_days"].get(severity), f"action_days.{severity}", low=1, high=365)
        _number(policy["points"].get(severity), f"points.{severity}", low=0, high=100)
    for reason in ("deadline_missed", "repeated_finding"):
        _number(policy["points"].get(reason), f"points.{reason}", low=0, high=100)
    _number(policy["points_expiry_days"], "points_expiry_days", low=1, high=3650)
    for step, value in policy["point_thresholds"].items():
        _number(value, f"point_thresholds.{step}", low=1, high=1000)
    for key in ("clean_days", "lookback_days", "inspection_full_days"):
        _number(policy[key], key, low=1, high=3650)
    return policy


@dataclass(frozen=True)
class Policy:
    """A validated policy; `values` is the merged dict (what the pages print)."""

    version: int
    values: dict

    def __getitem__(self, key: str):
        return self.values[key]

    def tier(self, score: float) -> str:
        thresholds = self.values["tier_thresholds"]
        for tier in ("serious", "high", "medium"):
            if score >= thresholds[tier]:
                return tier
        return "low"


def default_policy() -> Policy:
    return Policy(version=0, values=merged(None))
