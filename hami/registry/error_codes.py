from enum import StrEnum


class RegistryErrorCode(StrEnum):
    INVALID = "invalid"  # a field failed validation; see `field`
    FORBIDDEN = "forbidden"  # the actor may not make this change
    COUNTY_NOT_IN_PROVINCE = "county_not_in_province"
    DUPLICATE_NATIONAL_ID = "duplicate_national_id"
