"""policy_set and current_policy: a national admin adopts versions; every bad value is refused with its
setting named, in the user's language, and nothing is written; the newest version applies over the
defaults."""

import math

import pytest

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType
from hami.supervision import policy as policy_module
from hami.supervision.models import SupervisionPolicy
from hami.supervision.selectors import current_policy, policy_of_version
from hami.supervision.services.scores import policy_set

pytestmark = pytest.mark.django_db


def test_without_any_version_the_defaults_apply_as_version_0():
    policy = current_policy()
    assert policy.version == 0 and policy.values == policy_module.DEFAULTS


def test_a_national_admin_adopts_versions_stored_as_what_differs_from_the_defaults(admin_user):
    first = policy_set(actor=admin_user, values={"weights": {"hazard": 30.0}}, reason="  Hazard   first ")
    assert (
        first.version == 1 and first.values == {"weights": {"hazard": 30}} and first.reason == "Hazard first"
    )
    second = policy_set(
        actor=admin_user,
        values={"weights": {"hazard": 25}, "lookback_days": 365, "tier_thresholds": {"serious": 70}},
        reason="Back to 25, a year's window",
    )
    assert second.version == 2
    assert second.values == {"lookback_days": 365, "tier_thresholds": {"serious": 70}}
    policy = current_policy()
    assert policy.version == 2
    assert policy["weights"] == policy_module.DEFAULT_WEIGHTS
    assert policy["tier_thresholds"] == {"serious": 70, "high": 40, "medium": 20}
    assert policy_of_version(1)["weights"]["hazard"] == 30
    event = AuditEvent.objects.filter(event_type=EventType.POLICY_CHANGED).order_by("-seq").first()
    assert event.details["version"] == 2 and event.reason == "Back to 25, a year's window"
    assert event.details["changed"] == {
        "weights": {"hazard": 25},
        "lookback_days": 365,
        "tier_thresholds": {"serious": 70},
    }


@pytest.mark.parametrize(
    "persona", ["qazvin_officer", "qazvin_inspector", "unit_rep", "lab_user", "outsider"]
)
def test_only_a_national_admin_changes_the_instruction(request, persona):
    with pytest.raises(Forbidden):
        policy_set(actor=request.getfixturevalue(persona), values={"visits_per_day": 4}, reason="More visits")
    assert not SupervisionPolicy.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"weights": {"hazard": "25"}}, "weights.hazard", "number"),
        ({"weights": {"hazard": 101}}, "weights.hazard", "between -100 and 100"),
        ({"weights": {"hazard": True}}, "weights.hazard", "number"),
        ({"weights": {"hazard": math.nan}}, "weights.hazard", "number"),
        ({"weights": {"hazard": math.inf}}, "weights.hazard", "number"),
        ({"weights": {"beauty": 5}}, "weights.beauty", "beauty"),
        ({"weights": 5}, "weights", "named values"),
        ({"tier_thresholds": {"serious": 30}}, "tier_thresholds", "serious"),
        ({"tier_thresholds": {"medium": -1}}, "tier_thresholds.medium", "between 0 and 1000"),
        ({"visit_interval_days": {"low": 0}}, "visit_interval_days.low", "between 1 and 3650"),
        ({"visit_interval_days": {"weekly": 7}}, "visit_interval_days.weekly", "weekly"),
        ({"unannounced_share": 1.5}, "unannounced_share", "between 0 and 1"),
        ({"point_thresholds": {"jail": 5}}, "point_thresholds.jail", "jail"),
        ({"colour": "blue"}, "colour", "colour"),
        ({"lookback_days": None}, "lookback_days", "number"),
    ],
)
def test_a_bad_setting_is_refused_with_its_field_and_nothing_is_written(
    admin_user, in_english, values, field, words
):
    with pytest.raises(HamiError) as refused:
        policy_set(actor=admin_user, values=values, reason="Trying")
    assert refused.value.code == "invalid" and refused.value.field == field
    assert words in refused.value.message
    assert not SupervisionPolicy.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.POLICY_CHANGED).exists()


def test_the_message_names_the_setting_in_words_not_its_key(admin_user, in_english):
    with pytest.raises(HamiError) as refused:
        policy_set(actor=admin_user, values={"weights": {"hazard": 500}}, reason="Trying")
    assert refused.value.message == "Weight of “Product hazard” must be between -100 and 100."


@pytest.mark.parametrize(("values", "reason", "code"), [
    ({"visits_per_day": 4}, "   ", "invalid"),
    ({"visits_per_day": 4}, "x" * 301, "invalid"),
    ({}, "Nothing", "policy_unchanged"),
    ({"weights": {"hazard": 25.0}}, "The same", "policy_unchanged"),
    ([1, 2], "Not a dict", "invalid"),
])  # fmt: skip
def test_a_missing_reason_or_no_change_is_refused(admin_user, values, reason, code):
    with pytest.raises(HamiError) as refused:
        policy_set(actor=admin_user, values=values, reason=reason)
    assert refused.value.code == code
    assert not SupervisionPolicy.objects.exists()
