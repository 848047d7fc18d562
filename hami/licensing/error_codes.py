from enum import StrEnum


class LicensingErrorCode(StrEnum):
    INVALID = "invalid"  # a field failed validation; see `field`
    FORBIDDEN = "forbidden"  # this role may not make this move
    WRONG_STATE = "wrong_state"  # the application or licence is not in a state that allows it
    UNANSWERED_DEFICIENCIES = "unanswered_deficiencies"  # resubmitting before answering every one
    ALREADY_DECIDED = "already_decided"  # another officer decided the application first
    NOT_FAST_TRACK = "not_fast_track"  # skipping the audit needs the fast track
    OPEN_APPLICATION_EXISTS = "open_application_exists"  # the same product and standard are under way
    NO_SIGNING_KEY = "no_signing_key"  # the office has no live signing key
    BAD_DOCUMENT = "bad_document"  # a file of the wrong type or size
    TESTS_FROM_LABS = "tests_from_labs"  # the outcome comes from the labs' reports of its samples
    QC_MANAGER_UNCERTIFIED = "qc_manager_uncertified"  # no active QC manager with a valid certificate
