"""Check digits of Iranian identifiers. No Django import.

- National code (کد ملی) of a person: 10 digits, the last a mod-11 check digit
  (weights 10..2 over the first nine digits; r = sum % 11; check = r if r < 2 else 11 - r).
- National legal identifier (شناسه ملی) of a legal person: 11 digits, the last a mod-11 check digit
  over the first ten, each increased by (tenth digit + 2) and weighted 29, 27, 23, 19, 17 repeating;
  a remainder of 10 is written 0. This is the algorithm the National Organization for Civil
  Registration publishes for legal-person identifiers (as implemented, e.g., by persian-tools).
"""

from hami.core.persian import to_ascii_digits

LEGAL_ID_WEIGHTS = (29, 27, 23, 19, 17)


def clean_digits(value: str) -> str:
    """Persian/Arabic digits to ASCII, surrounding blanks and inner dashes/spaces dropped."""
    return to_ascii_digits(str(value)).strip().replace("-", "").replace(" ", "")


def legal_id_check_digit(first_ten: str) -> int:
    offset = int(first_ten[9]) + 2
    total = sum((int(d) + offset) * LEGAL_ID_WEIGHTS[i % 5] for i, d in enumerate(first_ten))
    remainder = total % 11
    return 0 if remainder == 10 else remainder


def is_valid_legal_id(value: str) -> bool:
    value = clean_digits(value)
    if len(value) != 11 or not (value.isascii() and value.isdigit()):
        return False
    if int(value) == 0 or int(value[3:9]) == 0:
        return False
    return legal_id_check_digit(value[:10]) == int(value[10])


def make_legal_id(first_ten: str) -> str:
    """Complete ten digits with their check digit (demo data and tests)."""
    return first_ten + str(legal_id_check_digit(first_ten))


def national_code_check_digit(first_nine: str) -> int:
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


def is_valid_national_code(value: str) -> bool:
    value = clean_digits(value)
    if len(value) != 10 or not (value.isascii() and value.isdigit()):
        return False
    if len(set(value)) == 1:  # 0000000000, 1111111111 … pass the sum but are not issued
        return False
    return national_code_check_digit(value[:9]) == int(value[9])


def make_national_code(first_nine: str) -> str:
    return first_nine + str(national_code_check_digit(first_nine))
