from enum import StrEnum


class SupervisionErrorCode(StrEnum):
    # ---- shared
    INVALID = "invalid"  # a field failed validation; see `field`
    FORBIDDEN = "forbidden"  # this role may not do this
    WRONG_STATE = "wrong_state"  # the thing is not in a state that allows this
    WRONG_PROVINCE = "wrong_province"  # the unit, product or person belongs to another province
    # ---- risk (Safety Gate)
    SEVERITY_OUT_OF_RANGE = "severity_out_of_range"  # not a whole number from 1 to 4
    PROBABILITY_OUT_OF_RANGE = "probability_out_of_range"  # not in (0, 1]
    PROBABILITY_UNREADABLE = "probability_unreadable"  # neither a decimal, a fraction nor a percentage
    NO_STEPS = "no_steps"  # an injury scenario needs at least one step
    # ---- scores and the instruction
    SCORES_RUNNING = "scores_running"  # another rescoring is running; wait for it to finish
    SCORING_FAILED = "scoring_failed"  # the rescoring crashed; the previous scores stay current
    NOT_SCORED = "not_scored"  # the unit has no score yet (new unit, or no run has finished)
    POLICY_UNCHANGED = "policy_unchanged"  # the new instruction would be the same as the current one
    # ---- plans
    BAD_PERIOD = "bad_period"  # not a Jalali month 1–12 or season 1–4 of a year in range
    NO_INSPECTORS = "no_inspectors"  # the province has no active inspector, or none was kept for the plan
    NO_CAPACITY = "no_capacity"  # the inspectors kept have no available day in the period
    NOT_AN_INSPECTOR = "not_an_inspector"  # not an active inspector of the province
    OUTSIDE_PERIOD = "outside_period"  # a day outside the plan's period
    NOT_AVAILABLE = "not_available"  # the inspector is not one of the plan's, or not available that day
    OVER_CAPACITY = "over_capacity"  # the inspector's day already has their visits a day
    ROTATION = "rotation"  # the inspector visited the unit last, or visits it next, in a row
    TOO_SOON = "too_soon"  # before the visit falls due, or within the tier's interval of another visit
    # ---- inspections, findings, corrective actions
    TOO_EARLY = "too_early"  # a visit starts on or after its scheduled day
    NO_CHECKLIST = "no_checklist"  # no active checklist applies to the unit
    NOT_ON_CHECKLIST = "not_on_checklist"  # the item is not on this visit's checklist
    UNANSWERED = "unanswered"  # a visit finishes only when every item is answered
    FINDING_MISSING = "finding_missing"  # a nonconforming item needs its finding before the visit finishes
    HAS_FINDINGS = "has_findings"  # withdraw the item's findings before answering it otherwise
    CHECK_UNMARKED = "check_unmarked"  # a follow-up marks each finding it checks: still open or corrected
    NOT_UNITS_FINDING = "not_units_finding"  # a follow-up checks open findings of the same unit only
    BAD_EVIDENCE = "bad_evidence"  # not a JPEG, PNG or PDF, empty, or over the size limit
    DUE_TOO_LATE = "due_too_late"  # beyond the instruction's days for the severity
    DUE_IN_PAST = "due_in_past"  # a corrective action's date is today or later
    LIVE_ACTION = "live_action"  # the finding already has a corrective action under way
    FINDING_CLOSED = "finding_closed"  # the finding is corrected or withdrawn
    # ---- ladder and points
    UNKNOWN_STEP = "unknown_step"  # not a rung of the ladder (0–7)
    UNKNOWN_TRIGGER = "unknown_trigger"  # not a trigger of models.Trigger
    SAME_STEP = "same_step"  # the unit is already on that rung
    STEP_NOT_ALLOWED = "step_not_allowed"  # the trigger does not allow this move (ladder.MOVES)
    LOWER_STEP_NOT_FAILED = "lower_step_not_failed"  # no missed deadline, repeat, points, case… to climb on
    FINDINGS_NOT_CORRECTED = "findings_not_corrected"  # stepping down with a finding open or an action live
    NOT_CLEAN_YET = "not_clean_yet"  # stepping down before the instruction's clean days have passed
    REVOCATION_FINAL = "revocation_final"  # a revocation is not undone by stepping down
    POINTS_HOLD = "points_hold"  # active negative points still reach the threshold of the current step
    WITHDRAWAL_NOT_ALLOWED = "withdrawal_not_allowed"  # market withdrawal goes with suspension or revocation
    JUDICIARY_NOT_ALLOWED = "judiciary_not_allowed"  # a referral to the judiciary is the top rung only
    LICENCE_REQUIRED = "licence_required"  # suspension and revocation name the unit's licence
    BAD_MONTH = "bad_month"  # a month is written YYYY-MM (Jalali), the range at most five years
    # ---- market cases and complaints
    MARK_VALID = "mark_valid"  # the tracking code is an active licence's: nothing to report
    TRACKING_CODE_MALFORMED = "tracking_code_malformed"  # not 10 digits with a Verhoeff check digit
    LICENCE_NOT_UNITS = "licence_not_units"  # the licence linked is another unit's
    ALREADY_TRIAGED = "already_triaged"  # the complaint has its case already
