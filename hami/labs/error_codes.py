from enum import StrEnum


class LabsErrorCode(StrEnum):
    INVALID = "invalid"  # a field failed validation; see `field`
    FORBIDDEN = "forbidden"  # this role may not do this
    WRONG_STATE = "wrong_state"  # the lab, sample or order is not in a state that allows it
    NOT_ACCREDITED = "not_accredited"  # the lab's accreditation lapsed or it is not approved
    NOT_IN_SCOPE = "not_in_scope"  # the lab is not accredited for this test
    CONFLICT_OF_INTEREST = "conflict_of_interest"  # the lab may not test this unit
    BAD_RESULT = "bad_result"  # a result outside physical sense, or in an unknown unit
    ALREADY_REPORTED = "already_reported"  # the report is issued; correct it with an amendment
    NOTHING_TO_ASSIGN = "nothing_to_assign"  # no test waits for a lab
    BAD_DOCUMENT = "bad_document"  # a file of the wrong type or size
