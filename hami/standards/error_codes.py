from enum import StrEnum


class StandardsErrorCode(StrEnum):
    INVALID = "invalid"  # a field failed validation; see `field`
    FORBIDDEN = "forbidden"  # only national admins change the catalogue
    DUPLICATE = "duplicate"  # INSO number and year already in the catalogue
