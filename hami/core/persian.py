"""Persian text normalization: one spelling for the many ways a Persian word can be typed.

Users type Arabic ي/ك from Arabic keyboards, Persian or Arabic-Indic digits, a zero-width
non-joiner (ZWNJ, U+200C) or a space or nothing between the parts of a word. Every identifier and
every search key goes through these functions so that all those spellings meet.
No Django import: tested on its own.
"""

import re
import unicodedata

ZWNJ = "\u200c"

# What every stored name goes through: Arabic code points that Persian writes otherwise.
_CHAR_MAP = str.maketrans(
    {
        "ي": "ی",  # ARABIC LETTER YEH → FARSI YEH
        "ى": "ی",  # ARABIC LETTER ALEF MAKSURA
        "ك": "ک",  # ARABIC LETTER KAF → KEHEH
        "ـ": None,  # TATWEEL (kashida) is decoration
        "\u200d": None,  # ZERO WIDTH JOINER
        "\u200f": None,  # RIGHT-TO-LEFT MARK
        "\u200e": None,  # LEFT-TO-RIGHT MARK
        "\ufeff": None,  # BOM
        # C0 control characters other than tab, newline and carriage return: never meant as text,
        # refused by PostgreSQL (NUL) and by spreadsheets (openpyxl's illegal characters).
        **{chr(c): None for c in (*range(0, 9), 11, 12, *range(14, 32), 127)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits ۰–۹
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits ٠–٩
    }
)
# What only search folds: spellings that are both correct but should find each other.
_SEARCH_MAP = str.maketrans(
    {
        "ئ": "ی",  # YEH WITH HAMZA ABOVE: بوئین and بویین are both written
        "ة": "ه",  # TEH MARBUTA
        "ۀ": "ه",  # HEH WITH YEH ABOVE
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "آ": "ا",
        "ؤ": "و",
    }
)
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")  # fatha, kasra, damma, tanwin, shadda, sukun, superscript alef
_SPACES = re.compile(r"\s+")

_TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


_TO_ASCII_DIGITS = str.maketrans(
    {**{chr(0x06F0 + i): str(i) for i in range(10)}, **{chr(0x0660 + i): str(i) for i in range(10)}}
)


def to_ascii_digits(text: str) -> str:
    """Every decimal digit of any script (Persian, Arabic-Indic, Devanagari, full-width, …) becomes
    ASCII; nothing else changes. Superscripts and other non-decimal "digits" stay as they are, so a
    check such as `isascii() and isdigit()` refuses them."""
    text = text.translate(_TO_ASCII_DIGITS)
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def to_persian_digits(text: str) -> str:
    return str(text).translate(_TO_PERSIAN_DIGITS)


def normalize_text(text: str) -> str:
    """The canonical stored form of a Persian name: Persian letters, ASCII digits, one space, ZWNJ kept."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.translate(_CHAR_MAP)
    text = _SPACES.sub(" ", text).strip()
    return text


def search_key(text: str) -> str:
    """The form we search in: normalized, lower-cased, with ZWNJ and spaces folded.

    "بوئین‌زهرا", "بویین زهرا" and "بویینزهرا" all give a key in which each of them is found.
    The key holds the spaced form and the unspaced form side by side so that a query typed with
    or without spaces matches a name stored the other way.
    """
    spaced = _fold(text)
    return f"{spaced} {spaced.replace(' ', '')}"


def search_terms(query: str) -> list[str]:
    """The terms of a typed query, each to be found in a search key."""
    return [term for term in _fold(query).split(" ") if term]


def _fold(text: str) -> str:
    text = _HARAKAT.sub("", normalize_text(text).translate(_SEARCH_MAP))
    return _SPACES.sub(" ", text.replace(ZWNJ, " ").lower()).strip()
