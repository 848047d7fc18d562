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
    # ---- plans
    # ---- inspections, findings, corrective actions
    # ---- ladder and points
    # ---- market cases and complaints
