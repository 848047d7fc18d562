"""The 10-digit tracking code printed with the standard mark (کد ده رقمی). No Django import.

Nine random digits (the first not zero) and a Verhoeff check digit. Random, not sequential, so a
code cannot be guessed by counting from a known one; Verhoeff (J. Verhoeff, "Error Detecting
Decimal Codes", 1969) catches every single-digit error and every swap of adjacent digits, the two
mistakes people make when typing a code from a label.
"""

import secrets

from hami.core.persian import to_ascii_digits

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

LENGTH = 10


def verhoeff_check_digit(digits: str) -> int:
    c = 0
    for i, d in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][int(d)]]
    return _INV[c]


def is_valid_verhoeff(number: str) -> bool:
    c = 0
    for i, d in enumerate(reversed(number)):
        c = _D[c][_P[i % 8][int(d)]]
    return c == 0


def new_tracking_code() -> str:
    body = str(secrets.randbelow(9 * 10**8) + 10**8)  # nine digits, the first not zero
    return body + str(verhoeff_check_digit(body))


def clean_tracking_code(text: str) -> str | None:
    """The code as typed (any digit script, spaces or dashes) if it is well formed, else None."""
    code = to_ascii_digits(str(text)).replace(" ", "").replace("-", "").strip()
    if len(code) != LENGTH or not (code.isascii() and code.isdigit()) or code[0] == "0":
        return None
    if not is_valid_verhoeff(code):
        return None
    return code
