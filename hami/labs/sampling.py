"""Single sampling plans by attributes and their switching rules, after ISO 2859-1:1999.

Sources (every table below is transcribed from them; see docs/sampling.md for the whole story):

- ISO 2859-1:1999 (second edition, 1999-11-15) *Sampling procedures for inspection by attributes —
  Part 1: Sampling schemes indexed by acceptance quality limit (AQL) for lot-by-lot inspection*,
  read through publications declared identical to it: GB/T 2828.1-2012 (China, IDT; Table 1 and
  Tables 2-A, 2-B, 2-C on printed pages 15–17, the source of the transcription below) and IS 2500
  (Part 1):2000 (India). Amendment 1:2011 (BS 6001-1:1999+A1:2011) was not available to check, nor
  the number of Iran's national adoption: docs/sampling.md lists what remains to confirm.
- MIL-STD-105E (10 May 1989) Table I and Tables II-A and II-B, which ISO 2859-1 took over for
  the sample-size code letters and the normal and tightened single sampling plans.

Table 1 (code letters) and Tables 2-A, 2-B and 2-C (single sampling master tables) are stored as
printed: a cell holds "Ac/Re", an arrow, or nothing. Arrows are resolved in code (ISO 2859-1:1999,
10.3 and the note under each master table): ↓ use the first sampling plan below the arrow, ↑ the
first above it; the sample size, and the code letter, are then those of the plan reached.
When the sample size equals or exceeds the lot size, every item of the lot is inspected.

The 1999 edition changed the reduced plans (Table 2-C): they no longer have a gap between the
acceptance and the rejection number (its foreword lists "reduced plans have been changed to
eliminate the gap between the acceptance and rejection numbers"); the older editions (ISO 2859-1:
1989, MIL-STD-105E, ANSI/ASQ Z1.4) print plans such as Ac 1 Re 4. Table 2-C here is the 1999 one.

Switching between normal, tightened and reduced inspection follows clause 9 with the switching
score of 9.3.3.2 (`switching_state`). No database and no model: only Django's translation
functions are imported, for the messages. Tested in microseconds.
"""

from __future__ import annotations

import bisect
import dataclasses
import enum
import itertools
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

EDITION = "ISO 2859-1:1999"

# The acceptance quality limits of the master tables, as printed in their column heads
# (ISO 2859-1:1999 Tables 2-A/2-B/2-C): percent nonconforming up to 10, and nonconformities per
# 100 items above.
AQL_LABELS: tuple[str, ...] = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5",
    "2.5", "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
)  # fmt: skip
AQLS: tuple[Decimal, ...] = tuple(Decimal(label) for label in AQL_LABELS)

LEVELS: tuple[str, ...] = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# The code letters in the order of the tables' rows (I and O are not used). S exists only in
# Table 2-B, as the target of arrows in the 0.025 column.
LETTERS = "ABCDEFGHJKLMNPQR"


class Severity(enum.StrEnum):
    NORMAL = "normal"  # Table 2-A; the start of inspection (9.1)
    TIGHTENED = "tightened"  # Table 2-B (9.3.1)
    REDUCED = "reduced"  # Table 2-C (9.3.3)


# ISO 2859-1:1999 Table 1 — Sample size code letters (identical in MIL-STD-105E Table I and
# GB/T 2828.1-2012 Table 1). Each row: the largest lot size of the range (None: "500 001 and
# over"), then the letter for S-1, S-2, S-3, S-4, I, II, III.
TABLE_1: tuple[tuple[int | None, str], ...] = (
    (8, "AAAAAAB"),
    (15, "AAAAABC"),
    (25, "AABBBCD"),
    (50, "ABBCCDE"),
    (90, "BBCCCEF"),
    (150, "BBCDDFG"),
    (280, "BCDEEGH"),
    (500, "BCDEFHJ"),
    (1200, "CCEFGJK"),
    (3200, "CDEGHKL"),
    (10000, "CDFGJLM"),
    (35000, "CDFHKMN"),
    (150000, "DEGJLNP"),
    (500000, "DEGJMPQ"),
    (None, "DEHKNQR"),
)
_LOT_BOUNDS = [upper for upper, _letters in TABLE_1[:-1]]

# Sample size of each code letter, from the "sample size" column of the master tables:
# Tables 2-A and 2-B (normal, tightened; S only in 2-B) and Table 2-C (reduced).
SAMPLE_SIZES: dict[str, int] = dict(
    zip(
        LETTERS + "S",
        (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000, 3150),
        strict=True,
    )
)
REDUCED_SAMPLE_SIZES: dict[str, int] = dict(
    zip(LETTERS, (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800), strict=True)
)

# The master tables as printed: "Ac/Re", ↓ (use the first plan below), ↑ (the first plan above),
# "." (blank: no plan; only row S of Table 2-B). Each table is printed in two halves.

# ISO 2859-1:1999 Table 2-A — Single sampling plans for normal inspection (Master table).
# Transcribed from GB/T 2828.1-2012 Table 2-A; identical to MIL-STD-105E Table II-A.
TABLE_2A = """
       0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5
  A      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  B      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  C      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  D      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1
  E      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑
  F      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓
  G      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2
  H      ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3
  J      ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4
  K      ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6
  L      ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8
  M      ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11
  N      ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15
  P      ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22
  Q    0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑
  R      ↑     ↑   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑

         2.5   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
  A      ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31
  B      ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45
  C    0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑
  D      ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑
  E      ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑     ↑
  F    1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑
  G    2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  H    3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  J    5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  K    7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  L  10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  M  14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  N  21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  P      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  Q      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  R      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

# ISO 2859-1:1999 Table 2-B — Single sampling plans for tightened inspection (Master table).
# Transcribed from GB/T 2828.1-2012 Table 2-B and MIL-STD-105E Table II-B. One cell differs between
# the two transcriptions at hand, code letter A under AQL 10: MIL-STD-105E prints an arrow (the
# plan D 8 1/2), the GB/T transcription a plan 0/1 of sample size 2; the arrow is kept here
# (see docs/sampling.md, "Doubts").
TABLE_2B = """
       0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5
  A      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  B      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  C      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  D      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  E      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1
  F      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓
  G      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓
  H      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2
  J      ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3
  K      ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4
  L      ↓     ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6
  M      ↓     ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9
  N      ↓     ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13
  P      ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19
  Q      ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑
  R    0/1     ↑     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑
  S      .     .   1/2     .     .     .     .     .     .     .     .     .

         2.5   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
  A      ↓     ↓     ↓     ↓     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28
  B      ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42
  C      ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ↑
  D    0/1     ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ↑     ↑
  E      ↓     ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ↑     ↑     ↑
  F      ↓   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑
  G    1/2   2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  H    2/3   3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  J    3/4   5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  K    5/6   8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  L    8/9 12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  M  12/13 18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  N  18/19     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  P      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  Q      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  R      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  S      .     .     .     .     .     .     .     .     .     .     .     .     .     .
"""

# ISO 2859-1:1999 Table 2-C — Single sampling plans for reduced inspection (Master table).
# Transcribed from GB/T 2828.1-2012 Table 2-C (printed page 17). Not MIL-STD-105E Table II-C,
# whose plans have a gap between Ac and Re (1989 and earlier editions).
TABLE_2C = """
       0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5
  A      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  B      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  C      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
  D      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1
  E      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑
  F      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓
  G      ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓
  H      ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2
  J      ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3
  K      ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4
  L      ↓     ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6
  M      ↓     ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7
  N      ↓     ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9
  P      ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11
  Q    0/1     ↑     ↑     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑
  R      ↑     ↑     ↑   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑

         2.5   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
  A      ↓     ↓   0/1     ↓     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31
  B      ↓   0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31
  C    0/1     ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11 14/15 21/22     ↑
  D      ↑     ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11 14/15 21/22     ↑     ↑
  E      ↓     ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11 14/15 21/22     ↑     ↑     ↑
  F      ↓   1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑
  G    1/2   2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  H    2/3   3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  J    3/4   5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  K    5/6   6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  L    6/7   8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  M    8/9 10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  N  10/11     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  P      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  Q      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
  R      ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

DOWN, UP, BLANK = "↓", "↑", "."
Cell = tuple[int, int] | str  # (Ac, Re), DOWN, UP or BLANK


def _parse_table(text: str) -> dict[str, tuple[Cell, ...]]:
    """The printed table as {letter: 26 cells}; refuses a malformed transcription at import."""
    rows: dict[str, list[Cell]] = {}
    header: list[str] = []
    for line in text.strip("\n").splitlines():
        tokens = line.split()
        if not tokens:
            continue
        if tokens[0] in AQL_LABELS:
            header = tokens
            continue
        letter, cells = tokens[0], tokens[1:]
        if len(cells) != len(header):
            raise ValueError(f"row {letter} has {len(cells)} cells under {len(header)} AQLs")
        parsed: list[Cell] = []
        for token in cells:
            if token in (DOWN, UP, BLANK):
                parsed.append(token)
            else:
                ac, re = (int(part) for part in token.split("/"))
                parsed.append((ac, re))
        rows.setdefault(letter, []).extend(parsed)
    for letter, cells in rows.items():
        if len(cells) != len(AQL_LABELS):
            raise ValueError(f"row {letter} has {len(cells)} cells, not {len(AQL_LABELS)}")
    return {letter: tuple(cells) for letter, cells in rows.items()}


MASTER_TABLES: dict[Severity, dict[str, tuple[Cell, ...]]] = {
    Severity.NORMAL: _parse_table(TABLE_2A),
    Severity.TIGHTENED: _parse_table(TABLE_2B),
    Severity.REDUCED: _parse_table(TABLE_2C),
}
TABLE_NUMBERS = {Severity.NORMAL: "2-A", Severity.TIGHTENED: "2-B", Severity.REDUCED: "2-C"}


def sample_size_of(letter: str, severity: Severity | str) -> int:
    """The sample size printed for a code letter in the master table of that severity."""
    return (REDUCED_SAMPLE_SIZES if severity == Severity.REDUCED else SAMPLE_SIZES)[letter]


def _resolve(severity: Severity, letter: str, column: int) -> tuple[str, int, int, int]:
    """Follow the arrows from (letter, column): (letter of the plan reached, its n, Ac, Re)."""
    table = MASTER_TABLES[severity]
    order = list(table)  # the rows in printed order
    row = order.index(letter)
    direction = None
    while True:
        cell = table[order[row]][column]
        if isinstance(cell, tuple):
            return order[row], sample_size_of(order[row], severity), cell[0], cell[1]
        step = 1 if cell == DOWN else -1 if cell == UP else None
        if step is None or (direction is not None and step != direction):
            # A blank, or an arrow pointing back: the transcription is wrong, not the input.
            raise ValueError(
                f"Table {TABLE_NUMBERS[severity]}: no plan from {letter} under {AQL_LABELS[column]}"
            )
        direction = step
        row += step
        if not 0 <= row < len(order):
            raise ValueError(f"Table {TABLE_NUMBERS[severity]}: arrow leaves the table at {letter}")


# Every (severity, code letter, AQL column) resolved once, at import.
_RESOLVED: dict[Severity, dict[str, tuple[tuple[str, int, int, int], ...]]] = {
    severity: {letter: tuple(_resolve(severity, letter, j) for j in range(len(AQLS))) for letter in LETTERS}
    for severity in Severity
}


def master_plan(letter: str, aql, severity: Severity | str = Severity.NORMAL) -> tuple[str, int, int, int]:
    """The plan a code letter gets under an AQL after arrows: (plan letter, n, Ac, Re).

    Raises SamplingError for an unknown letter, AQL or severity."""
    severity = _severity(severity)
    if letter not in _RESOLVED[severity]:
        raise SamplingError(
            "letter", format_lazy(_("Unknown sample size code letter: {value}."), value=letter)
        )
    return _RESOLVED[severity][letter][_aql_index(aql)]


# ---------------------------------------------------------------------------------------------
# Input checking. Every refusal is a SamplingError naming the field, in the user's language.


class SamplingError(ValueError):
    """Bad input to a sampling function; `field` names it, `message` says why (translated)."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message


MAX_LOT_SIZE = 10**12
_TO_ASCII = str.maketrans(
    {
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        "٫": ".",  # Arabic decimal separator
        ",": ".",  # decimal comma, as ISO prints the AQLs
    }
)
# Lot sizes may be written 1,200 or 1 200 or ۱۲۰۰.
_LOT_TO_ASCII = str.maketrans(
    {
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **dict.fromkeys(",٬_ \u00a0\u202f", ""),
    }
)
_LEVEL_COLUMN = {level: column for column, level in enumerate(LEVELS)}
_LEVEL_ALIASES: dict[str, str] = {}
for _level in LEVELS:
    for _form in (_level, _level.replace("-", ""), _level.replace("-", " ")):
        _LEVEL_ALIASES[_form] = _LEVEL_ALIASES[_form.lower()] = _level
_LEVEL_ALIASES.update({"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III"})  # Roman numeral code points
_AQL_BY_TEXT: dict[str, int] = {label: j for j, label in enumerate(AQL_LABELS)}
_AQL_BY_VALUE: dict[Decimal, int] = {
    value: j for j, value in enumerate(AQLS)
}  # Decimal("1") == Decimal("1.0")
_SEVERITY_BY_TEXT = {severity.value: severity for severity in Severity}


def _lot_size(value) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 13:
        value = int(value)
    elif isinstance(value, str):
        text = value.strip().translate(_LOT_TO_ASCII)
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 13 else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LOT_SIZE:
        raise SamplingError(
            "lot_size",
            format_lazy(
                _("The lot size must be a whole number of items from 1 to {maximum}."),
                maximum=f"{MAX_LOT_SIZE:,}",
            ),
        )
    return value


def _level(value) -> str:
    level = _LEVEL_ALIASES.get(value) or _LEVEL_ALIASES.get(value.strip()) if isinstance(value, str) else None
    if level is None:
        raise SamplingError(
            "level", _("Unknown inspection level. Use one of S-1, S-2, S-3, S-4, I, II or III.")
        )
    return level


def _aql_index(value) -> int:
    if isinstance(value, str):
        j = _AQL_BY_TEXT.get(value)
        if j is not None:
            return j
        text = value.strip().translate(_TO_ASCII).removesuffix("%").strip()
        try:
            value = Decimal(text) if 0 < len(text) <= 20 else None
        except InvalidOperation:
            value = None
    elif isinstance(value, float):
        value = Decimal(repr(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    j = _AQL_BY_VALUE.get(value) if isinstance(value, Decimal) and value.is_finite() else None
    if j is None:
        raise SamplingError(
            "aql",
            format_lazy(
                _("This AQL is not in the tables of ISO 2859-1. Use one of {values}."),
                values=", ".join(AQL_LABELS),
            ),
        )
    return j


def _severity(value) -> Severity:
    if not isinstance(value, str):
        severity = None
    else:
        severity = _SEVERITY_BY_TEXT.get(value) or _SEVERITY_BY_TEXT.get(value.strip().lower())
    if severity is None:
        raise SamplingError("severity", _("The severity of inspection must be normal, tightened or reduced."))
    return severity


# ---------------------------------------------------------------------------------------------
# Plans


def code_letter(lot_size, level) -> str:
    """Table 1: the sample size code letter of a lot size (≥ 1) at an inspection level.

    A lot of one item falls in the first range (2 to 8): every plan then inspects it whole.
    Raises SamplingError."""
    size, level = _lot_size(lot_size), _level(level)
    return TABLE_1[bisect.bisect_left(_LOT_BOUNDS, size)][1][_LEVEL_COLUMN[level]]


class SamplingPlan(NamedTuple):
    """A single sampling plan for one lot, and how it was found (immutable; a named tuple because
    it is built on every look-up, and a frozen dataclass costs four times as much to build)."""

    lot_size: int
    level: str
    aql: Decimal
    severity: Severity
    code_letter: str  # Table 1
    plan_letter: str  # the row of the master table that gave the plan, after arrows
    sample_size: int  # items to inspect: the plan's n, or the whole lot (full_inspection)
    accept: int  # Ac: accept the lot with this many nonconforming items (nonconformities) or fewer
    reject: int  # Re: do not accept it with this many or more
    full_inspection: bool  # the plan's n reached the lot size: inspect every item
    table_sample_size: int  # the n printed for plan_letter

    @property
    def aql_label(self) -> str:
        return AQL_LABELS[_AQL_BY_VALUE[self.aql]]

    @property
    def table(self) -> str:
        return TABLE_NUMBERS[self.severity]

    @property
    def arrow_followed(self) -> bool:
        return self.plan_letter != self.code_letter

    def as_dict(self) -> dict:
        """JSON-ready values (the API's body)."""
        return {
            "code_letter": self.code_letter,
            "plan_code_letter": self.plan_letter,
            "sample_size": self.sample_size,
            "accept": self.accept,
            "reject": self.reject,
            "full_inspection": self.full_inspection,
            "table_sample_size": self.table_sample_size,
            "lot_size": self.lot_size,
            "level": self.level,
            "aql": self.aql_label,
            "severity": self.severity.value,
            "table": self.table,
            "edition": EDITION,
        }


def plan(lot_size, level, aql, severity: Severity | str = Severity.NORMAL) -> SamplingPlan:
    """The ISO 2859-1 single sampling plan for a lot.

    lot_size: int or digit string (Persian digits accepted), 1 to MAX_LOT_SIZE; level: S-1…S-4,
    I, II, III; aql: Decimal, str ("1.0", "1", "0.65", "۱٫۵") or float, one of AQL_LABELS;
    severity: normal, tightened or reduced. Raises SamplingError(field=...) for bad input."""
    size = _lot_size(lot_size)
    level = _level(level)
    j = _aql_index(aql)
    severity = _severity(severity)
    letter = TABLE_1[bisect.bisect_left(_LOT_BOUNDS, size)][1][_LEVEL_COLUMN[level]]
    plan_letter, n, ac, re = _RESOLVED[severity][letter][j]
    full = n >= size  # "If sample size equals or exceeds lot size, carry out 100 % inspection."
    return SamplingPlan(
        lot_size=size,
        level=level,
        aql=AQLS[j],
        severity=severity,
        code_letter=letter,
        plan_letter=plan_letter,
        sample_size=size if full else n,
        accept=ac,
        reject=re,
        full_inspection=full,
        table_sample_size=n,
    )


def format_table(severity: Severity | str) -> str:
    """A master table as printed (arrows and Ac/Re), with the sample size of each letter."""
    severity = _severity(severity)
    table = MASTER_TABLES[severity]
    lines = [f"ISO 2859-1:1999 Table {TABLE_NUMBERS[severity]}"]
    lines.append("       n " + "".join(f"{label:>6}" for label in AQL_LABELS))
    for letter, cells in table.items():
        shown = ["" if c == BLANK else c if isinstance(c, str) else f"{c[0]}/{c[1]}" for c in cells]
        lines.append(f"{letter} {sample_size_of(letter, severity):>6} " + "".join(f"{s:>6}" for s in shown))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Switching rules, ISO 2859-1:1999 clause 9 (Figure 1 draws them).

# 9.3.3.2 a) 1): "add 3 if the lot would have been accepted if the AQL had been one step
# tighter". For the same sample (same row of Table 2-A), the plan one AQL column to the left; in
# every row the plans with Ac ≥ 2 follow one another, so that plan is the previous acceptance
# number of the series. Derived from Table 2-A itself.
TIGHTER_ACCEPT: dict[int, int] = {}
for _cells in MASTER_TABLES[Severity.NORMAL].values():
    for _left, _right in itertools.pairwise(_cells):
        if not (isinstance(_left, tuple) and isinstance(_right, tuple) and _right[0] >= 2):
            continue
        if TIGHTER_ACCEPT.setdefault(_right[0], _left[0]) != _left[0]:
            raise ValueError(f"Table 2-A: Ac {_right[0]} has two tighter neighbours")

SWITCH_TO_REDUCED_SCORE = 30  # 9.3.3.1 a)
NORMAL_WINDOW = 5  # 9.3.1: "two out of five or fewer consecutive lots"
TIGHTENED_TO_NORMAL = 5  # 9.3.2: five consecutive lots accepted
DISCONTINUE_AFTER = 5  # 9.4: five lots not accepted on tightened inspection


@dataclasses.dataclass(frozen=True)
class Lot:
    """One lot on original inspection (a resubmitted lot does not count for switching, 9.3.1).

    severity: the inspection it was inspected under; accepted: the decision on original
    inspection; accept_number: Ac of the plan used; nonconforming: the number found (lets the
    function apply 9.3.3.2 itself), or accepted_one_step_tighter: the answer, if known."""

    severity: Severity | str
    accepted: bool
    accept_number: int = 0
    nonconforming: int | None = None
    accepted_one_step_tighter: bool | None = None
    resubmitted: bool = False


@dataclasses.dataclass(frozen=True)
class SwitchingState:
    """What applies to the next lot, and why."""

    severity: Severity  # for the next lot (tightened once resumed, if discontinued)
    discontinued: bool  # 9.4: no acceptance by this scheme until the supplier acts
    switching_score: int  # 9.3.3.2; counts only on normal inspection
    rule: str  # the clause that decided: 9.1, 9.2, 9.3.1, 9.3.2, 9.3.3, 9.3.4, 9.4
    reason: str  # a sentence for people, translated
    consecutive_accepted: int = 0  # on tightened inspection, towards 9.3.2
    not_accepted_on_tightened: int = 0  # towards 9.4
    departures: tuple[int, ...] = ()  # indexes of lots recorded under a severity the rules did not give


def _score_after(score: int, lot: Lot) -> int:
    """9.3.3.2 a): the switching score after a lot on original normal inspection."""
    if not lot.accepted:
        return 0
    if lot.accept_number <= 1:
        return score + 2  # a) 2): acceptance number 0 or 1, lot accepted
    tighter = lot.accepted_one_step_tighter
    if tighter is None:
        if lot.nonconforming is None or lot.accept_number not in TIGHTER_ACCEPT:
            raise SamplingError(
                "lots",
                format_lazy(
                    _(
                        "For a lot with acceptance number {ac}, give the number of nonconforming items "
                        "found or whether it would have been accepted at one AQL step tighter."
                    ),
                    ac=lot.accept_number,
                ),
            )
        tighter = lot.nonconforming <= TIGHTER_ACCEPT[lot.accept_number]
    return score + 3 if tighter else 0  # a) 1)


def switching_state(
    lots: Iterable[Lot],
    *,
    production_steady: bool = True,
    reduced_approved: bool = False,
    normal_required: bool = False,
    resume: bool = False,
) -> SwitchingState:
    """The severity for the next lot of one unit and product, from its lots in order.

    production_steady: 9.3.3.1 b) / 9.3.4 b); reduced_approved: the responsible authority
    considers reduced inspection desirable, 9.3.3.1 c); normal_required: other conditions
    warrant normal inspection, 9.3.4 c); resume: after discontinuation, the supplier has acted
    and the authority agrees, 9.4. The flags describe the present, so they decide only the next
    lot: past switches are read from the severities recorded on the lots. Raises SamplingError."""
    severity = Severity.NORMAL  # 9.1
    discontinued = False
    window: list[bool] = []  # outcomes of the last lots of the current normal run (9.3.1)
    score = 0  # 9.3.3.2: zero at the start of normal inspection
    run_accepted = 0  # consecutive lots accepted on tightened inspection (9.3.2)
    run_rejected = 0  # lots not accepted in the current tightened run (9.4)
    rule, departures = "9.1", []
    seen = 0

    def enter(new: Severity) -> None:
        nonlocal severity, window, score, run_accepted, run_rejected
        severity, window, score, run_accepted, run_rejected = new, [], 0, 0, 0

    for index, lot in enumerate(lots):
        if lot.resubmitted:
            continue
        seen += 1
        recorded = _severity(lot.severity)
        if discontinued:
            # 9.4: inspection resumed, "as if 9.3.1 had been invoked".
            discontinued = False
            enter(Severity.TIGHTENED)
        permitted = {severity}
        if severity == Severity.NORMAL and score >= SWITCH_TO_REDUCED_SCORE:
            permitted.add(Severity.REDUCED)
        if severity == Severity.REDUCED:
            permitted.add(Severity.NORMAL)  # 9.3.4 b), c) may apply at any time
        if recorded not in permitted:
            departures.append(index)
        if recorded != severity:
            enter(recorded)  # a switch made outside these rules starts a new run
        if severity == Severity.NORMAL:
            window = [*window, lot.accepted][-NORMAL_WINDOW:]
            score = _score_after(score, lot)
            rule = "9.2"
            if window.count(False) >= 2:
                enter(Severity.TIGHTENED)
                rule = "9.3.1"
        elif severity == Severity.TIGHTENED:
            rule = "9.2"
            if lot.accepted:
                run_accepted += 1
            else:
                run_accepted, run_rejected = 0, run_rejected + 1
            if run_rejected >= DISCONTINUE_AFTER:
                discontinued, rule = True, "9.4"
            elif run_accepted >= TIGHTENED_TO_NORMAL:
                enter(Severity.NORMAL)
                rule = "9.3.2"
        else:
            rule = "9.2"
            if not lot.accepted:
                enter(Severity.NORMAL)
                rule = "9.3.4"

    state = dict(
        switching_score=score,
        consecutive_accepted=run_accepted,
        not_accepted_on_tightened=run_rejected,
        departures=tuple(departures),
    )
    if discontinued and not resume:
        reason = format_lazy(
            _(
                "Inspection is discontinued: {count} lots were not accepted on tightened inspection "
                "(ISO 2859-1, 9.4). It resumes, under tightened inspection, once the supplier has acted "
                "and the responsible authority agrees."
            ),
            count=run_rejected,
        )
        return SwitchingState(Severity.TIGHTENED, True, rule="9.4", reason=reason, **state)
    if discontinued:
        state.update(consecutive_accepted=0, not_accepted_on_tightened=0)
        reason = _("Inspection resumes under tightened inspection after discontinuation (ISO 2859-1, 9.4).")
        return SwitchingState(Severity.TIGHTENED, False, rule="9.4", reason=reason, **state)
    if (
        severity == Severity.NORMAL
        and score >= SWITCH_TO_REDUCED_SCORE
        and production_steady
        and reduced_approved
    ):
        reason = format_lazy(
            _(
                "Reduced inspection: switching score {score} (30 or more), production steady, and the "
                "responsible authority approves (ISO 2859-1, 9.3.3)."
            ),
            score=score,
        )
        return SwitchingState(Severity.REDUCED, False, rule="9.3.3", reason=reason, **state)
    if severity == Severity.REDUCED and not production_steady:
        reason = _("Normal inspection reinstated: production is irregular or delayed (ISO 2859-1, 9.3.4 b).")
        return SwitchingState(Severity.NORMAL, False, rule="9.3.4", reason=reason, **state)
    if severity == Severity.REDUCED and normal_required:
        reason = _("Normal inspection reinstated by the responsible authority (ISO 2859-1, 9.3.4 c).")
        return SwitchingState(Severity.NORMAL, False, rule="9.3.4", reason=reason, **state)
    return SwitchingState(severity, False, rule=rule, reason=_reason(severity, rule, seen, state), **state)


def _reason(severity: Severity, rule: str, seen: int, state: dict) -> str:
    if seen == 0:
        return _("No lot inspected yet: inspection starts at normal (ISO 2859-1, 9.1).")
    if rule == "9.3.1":
        return _(
            "Tightened inspection: 2 of 5 or fewer consecutive lots were not accepted on normal "
            "inspection (ISO 2859-1, 9.3.1)."
        )
    if rule == "9.3.2":
        return _(
            "Normal inspection reinstated: 5 consecutive lots accepted on tightened inspection "
            "(ISO 2859-1, 9.3.2)."
        )
    if rule == "9.3.4":
        return _(
            "Normal inspection reinstated: a lot was not accepted on reduced inspection "
            "(ISO 2859-1, 9.3.4 a)."
        )
    if severity == Severity.TIGHTENED:
        return format_lazy(
            _(
                "Tightened inspection continues (ISO 2859-1, 9.2): {accepted} of the 5 consecutive "
                "accepted lots needed to return to normal; {rejected} of the 5 lots not accepted that "
                "discontinue inspection."
            ),
            accepted=state["consecutive_accepted"],
            rejected=state["not_accepted_on_tightened"],
        )
    if severity == Severity.REDUCED:
        return _("Reduced inspection continues (ISO 2859-1, 9.2).")
    return format_lazy(
        _(
            "Normal inspection continues (ISO 2859-1, 9.2); switching score {score} of the 30 that allow "
            "reduced inspection (9.3.3)."
        ),
        score=state["switching_score"],
    )
