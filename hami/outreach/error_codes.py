from enum import StrEnum


class OutreachErrorCode(StrEnum):
    INVALID = "invalid"  # a field failed validation; see `field`
    FORBIDDEN = "forbidden"  # this role may not do this
    WRONG_STATE = "wrong_state"  # the session, slot, booking, meeting or proposal does not allow it
    FULL = "full"  # the session has no free place (the person may join the waitlist instead)
    ALREADY_REGISTERED = "already_registered"  # this person already holds or waits for a place
    SLOT_TAKEN = "slot_taken"  # somebody else booked this slot first
    SLOT_PAST = "slot_past"  # the slot has already started
    SLOT_CANCELLED = "slot_cancelled"  # the advisor withdrew the slot
    PRIORITY_ONLY = "priority_only"  # the slot is still reserved for units with priority
    TOO_LATE = "too_late"  # inside the notice period for cancelling or rescheduling
    NOT_ELIGIBLE = "not_eligible"  # e.g. a renewal course without a certificate to renew
    UNKNOWN_CERTIFICATE = "unknown_certificate"  # no certificate has this verification code
    # working groups (helper C)
    ALREADY_MEMBER = "already_member"  # the unit, lab or person is already an active member of the group
    NOT_MEMBER = "not_member"  # an owner, attendee or proposer who is not an active member of the group
    # clinics (helper B)
    SLOT_OVERLAP = "slot_overlap"  # the advisor already has a live slot at that time
    RESCHEDULE_LIMIT = "reschedule_limit"  # the booking was already moved the most times allowed
