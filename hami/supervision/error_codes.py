from enum import StrEnum


class SupervisionErrorCode(StrEnum):
    INVALID = "invalid"  # a field failed validation; see `field`
    FORBIDDEN = "forbidden"  # this role may not do this
    SEVERITY_OUT_OF_RANGE = "severity_out_of_range"  # not a whole number from 1 to 4
    PROBABILITY_OUT_OF_RANGE = "probability_out_of_range"  # not in (0, 1]
    PROBABILITY_UNREADABLE = "probability_unreadable"  # neither a decimal, a fraction nor a percentage
    NO_STEPS = "no_steps"  # an injury scenario needs at least one step
    WRONG_PROVINCE = "wrong_province"  # the unit or product belongs to another province
