"""hami.labs.sampling checked against sources other than the one its tables were transcribed from.

The module's Tables 2-A/2-B/2-C were transcribed from GB/T 2828.1-2012 (identical to ISO 2859-1:1999).
Here, in its own format, each expected value comes from elsewhere:

- MIL_TABLE_I, MIL_II_A, MIL_II_B: MIL-STD-105E (1989) Table I and Tables II-A and II-B, resolved
  (sample size reached after the arrows / Ac; Re = Ac + 1), as transcribed "from the published
  tables" (https://archive.org/details/MIL-STD-105E_1) in the R package AQLSchemes by J. S. Lawson
  (AAZ14Single.R). ISO 2859-1:1999 kept Table I and Tables II-A and II-B unchanged.
- MIL_II_C: MIL-STD-105E Table II-C (the older reduced plans, with a gap between Ac and Re), same
  source. The 1999 edition changed the reduced plans; only the cells whose 1989 plan is 0/1 (the
  region left of and at the first plan of each row, whose arrows did not change) are compared.
- REDUCED_1999_PRINTED: columns 1.0 and 2.5 of GB/T 2828.1-2012 Table 2-C as printed (arrows and
  Ac/Re), from a second transcription (a public NocoBase seed script, cross-checked by its authors
  against SQC Online's ISO 2859-1 calculator), resolved by this file's own small resolver.
- GB_2_C: the whole of GB/T 2828.1-2012 Table 2-C resolved (final code letter / n / Ac / Re), from the
  double-blind transcription in github.com/nihantao-crosis/quality-platform (fixtures
  gbt2828-1-2012-tables-2abc-full16.tsv and -aql15-1000.tsv). The module's Table 2-C was transcribed
  from the same publication, so this pins every cell against regressions but is not independent.
"""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hami.labs.sampling import (
    AQL_LABELS,
    LETTERS,
    LEVELS,
    MAX_LOT_SIZE,
    Lot,
    SamplingError,
    code_letter,
    master_plan,
    plan,
    switching_state,
)

# MIL-STD-105E Table I (AQLSchemes): lot-size range, then the letters for S-1 S-2 S-3 S-4 I II III.
MIL_TABLE_I = [
    (2, 8, "A A A A A A B"),
    (9, 15, "A A A A A B C"),
    (16, 25, "A A B B B C D"),
    (26, 50, "A B B C C D E"),
    (51, 90, "B B C C C E F"),
    (91, 150, "B B C D D F G"),
    (151, 280, "B C D E E G H"),
    (281, 500, "B C D E F H J"),
    (501, 1200, "C C E F G J K"),
    (1201, 3200, "C D E G H K L"),
    (3201, 10000, "C D F G J L M"),
    (10001, 35000, "C D F H K M N"),
    (35001, 150000, "D E G J L N P"),
    (150001, 500000, "D E G J M P Q"),
    (500001, MAX_LOT_SIZE, "D E H K N Q R"),
]

# MIL-STD-105E Tables II-A and II-B resolved (AQLSchemes): sample size / Ac, 26 AQLs per code letter.
MIL_II_A = """
A  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0     5/0
      3/0     2/0     5/1     3/1     2/1     2/2     2/3     2/5     2/7    2/10    2/14    2/21    2/30
B  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0     5/0
      3/0     2/0     5/1     3/1     3/2     3/3     3/5     3/7    3/10    3/14    3/21    3/30    3/44
C  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0     5/0
      3/0     8/1     5/1     5/2     5/3     5/5     5/7    5/10    5/14    5/21    5/30    5/44    3/44
D  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0     5/0
     13/1     8/1     8/2     8/3     8/5     8/7    8/10    8/14    8/21    8/30    8/44    5/44    3/44
E  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0    20/1
     13/1    13/2    13/3    13/5    13/7   13/10   13/14   13/21   13/30   13/44    8/44    5/44    3/44
F  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0    32/1    20/1
     20/2    20/3    20/5    20/7   20/10   20/14   20/21   13/21   13/30   13/44    8/44    5/44    3/44
G  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    50/1    32/1    32/2
     32/3    32/5    32/7   32/10   32/14   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
H  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    80/1    50/1    50/2    50/3
     50/5    50/7   50/10   50/14   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
J  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0   125/1    80/1    80/2    80/3    80/5
     80/7   80/10   80/14   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
K  1250/0   800/0   500/0   315/0   200/0   125/0    80/0   200/1   125/1   125/2   125/3   125/5   125/7
   125/10  125/14  125/21   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
L  1250/0   800/0   500/0   315/0   200/0   125/0   315/1   200/1   200/2   200/3   200/5   200/7  200/10
   200/14  200/21  125/21   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
M  1250/0   800/0   500/0   315/0   200/0   500/1   315/1   315/2   315/3   315/5   315/7  315/10  315/14
   315/21  200/21  125/21   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
N  1250/0   800/0   500/0   315/0   800/1   500/1   500/2   500/3   500/5   500/7  500/10  500/14  500/21
   315/21  200/21  125/21   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
P  1250/0   800/0   500/0  1250/1   800/1   800/2   800/3   800/5   800/7  800/10  800/14  800/21  500/21
   315/21  200/21  125/21   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
Q  1250/0   800/0  2000/1  1250/1  1250/2  1250/3  1250/5  1250/7 1250/10 1250/14 1250/21  800/21  500/21
   315/21  200/21  125/21   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
R  1250/0   800/0  2000/1  2000/2  2000/3  2000/5  2000/7 2000/10 2000/14 2000/21 1250/21  800/21  500/21
   315/21  200/21  125/21   80/21   50/21   32/21   20/21   13/21   13/30   13/44    8/44    5/44    3/44
"""
MIL_II_B = """
A  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0
      5/0     3/0     8/1     5/1     3/1     2/1     2/2     2/3     2/5     2/8    2/12    2/18    2/27
B  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0
      5/0     3/0     8/1     5/1     3/1     3/2     3/3     3/5     3/8    3/12    3/18    3/27    3/41
C  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0
      5/0    13/1     8/1     5/1     5/2     5/3     5/5     5/8    5/12    5/18    5/27    5/41    3/41
D  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0     8/0
     20/1    13/1     8/1     8/2     8/3     8/5     8/8    8/12    8/18    8/27    8/41    5/41    3/41
E  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    13/0    32/1
     20/1    13/1    13/2    13/3    13/5    13/8   13/12   13/18   13/27   13/41    8/41    5/41    3/41
F  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    20/0    50/1    32/1
     20/1    20/2    20/3    20/5    20/8   20/12   20/18   13/18   13/27   13/41    8/41    5/41    3/41
G  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0    32/0    80/1    50/1    32/1
     32/2    32/3    32/5    32/8   32/12   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
H  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0    50/0   125/1    80/1    50/1    50/2
     50/3    50/5    50/8   50/12   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
J  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0    80/0   200/1   125/1    80/1    80/2    80/3
     80/5    80/8   80/12   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
K  2000/0  1250/0   800/0   500/0   315/0   200/0   125/0   315/1   200/1   125/1   125/2   125/3   125/5
    125/8  125/12  125/18   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
L  2000/0  1250/0   800/0   500/0   315/0   200/0   500/1   315/1   200/1   200/2   200/3   200/5   200/8
   200/12  200/18  125/18   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
M  2000/0  1250/0   800/0   500/0   315/0   800/1   500/1   315/1   315/2   315/3   315/5   315/8  315/12
   315/18  200/18  125/18   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
N  2000/0  1250/0   800/0   500/0  1250/1   800/1   500/1   500/2   500/3   500/5   500/8  500/12  500/18
   315/18  200/18  125/18   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
P  2000/0  1250/0   800/0  2000/1  1250/1   800/1   800/2   800/3   800/5   800/8  800/12  800/18  500/18
   315/18  200/18  125/18   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
Q  2000/0  1250/0  3150/1  2000/1  1250/1  1250/2  1250/3  1250/5  1250/8 1250/12 1250/18  800/18  500/18
   315/18  200/18  125/18   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
R  2000/0  1250/0  3150/1  2000/1  2000/2  2000/3  2000/5  2000/8 2000/12 2000/18 1250/18  800/18  500/18
   315/18  200/18  125/18   80/18   50/18   32/18   20/18   13/18   13/27   13/41    8/41    5/41    3/41
"""
# MIL-STD-105E Table II-C (the 1989 reduced plans, AQLSchemes): sample size / Ac / Re.
MIL_II_C = """
A   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
      8/0/1     5/0/1     3/0/1     2/0/1     2/0/1     2/0/1     2/0/2     2/0/2     2/1/2
      2/2/3     2/3/4     2/5/6     2/7/8   2/10/11   2/14/15   2/21/22   2/30/31
B   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
      8/0/1     5/0/1     3/0/1     2/0/1     2/0/1     2/0/1     2/0/2     2/0/2     2/1/3
      2/2/4     2/3/5     2/5/6     2/7/8   2/10/11   2/14/15   2/21/22   2/30/31
C   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
      8/0/1     5/0/1     3/0/1     2/0/1     2/0/1     3/0/2     2/0/2     2/1/3     2/1/4
      2/2/5     2/3/6     2/5/8    2/7/10   2/10/13   2/14/17   2/21/24   2/30/31
D   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
      8/0/1     5/0/1     3/0/1     2/0/1     5/0/2     3/0/2     3/1/3     3/1/4     3/2/5
      3/3/6     3/5/8    3/7/10   3/10/13   3/14/17   3/21/24   2/21/24   2/30/31
E   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
      8/0/1     5/0/1     3/0/1     8/0/2     5/0/2     5/1/3     5/1/4     5/2/5     5/3/6
      5/5/8    5/7/10   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
F   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
      8/0/1     5/0/1    13/0/2     8/0/2     8/1/3     8/1/4     8/2/5     8/3/6     8/5/8
     8/7/10   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
G   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
      8/0/1    20/0/2    13/0/2    13/1/3    13/1/4    13/2/5    13/3/6    13/5/8   13/7/10
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
H   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    13/0/1
     32/0/2    20/0/2    20/1/3    20/1/4    20/2/5    20/3/6    20/5/8   20/7/10  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
J   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    20/0/1    50/0/2
     32/0/2    32/1/3    32/1/4    32/2/5    32/3/6    32/5/8   32/7/10  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
K   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1    32/0/1    80/0/2    50/0/2
     50/1/3    50/1/4    50/2/5    50/3/6    50/5/8   50/7/10  50/10/13  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
L   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1    50/0/1   125/0/2    80/0/2    80/1/3
     80/1/4    80/2/5    80/3/6    80/5/8   80/7/10  80/10/13  50/10/13  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
M   500/0/1   315/0/1   200/0/1   125/0/1    80/0/1   200/0/2   125/0/2   125/1/3   125/1/4
    125/2/5   125/3/6   125/5/8  125/7/10 125/10/13  80/10/13  50/10/13  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
N   500/0/1   315/0/1   200/0/1   125/0/1   315/0/2   200/0/2   200/1/3   200/1/4   200/2/5
    200/3/6   200/5/8  200/7/10 200/10/13 125/10/13  80/10/13  50/10/13  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
P   500/0/1   315/0/1   200/0/1   500/0/2   315/0/2   315/1/3   315/1/4   315/2/5   315/3/6
    315/5/8  315/7/10 315/10/13 200/10/13 125/10/13  80/10/13  50/10/13  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
Q   500/0/1   315/0/1   800/0/2   500/0/2   500/1/3   500/1/4   500/2/5   500/3/6   500/5/8
   500/7/10 500/10/13 315/10/13 200/10/13 125/10/13  80/10/13  50/10/13  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
R   500/0/1   315/0/1   800/0/2   800/1/3   800/1/4   800/2/5   800/3/6   800/5/8  800/7/10
  800/10/13 500/10/13 315/10/13 200/10/13 125/10/13  80/10/13  50/10/13  32/10/13  20/10/13
   13/10/13   8/10/13   5/10/13   5/14/17   5/21/24   3/21/24   2/21/24   2/30/31
"""
# GB/T 2828.1-2012 Table 2-C resolved (quality-platform transcription): final letter / n / Ac / Re.
GB_2_C = """
A   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
      F/8/0/1     E/5/0/1     D/3/0/1     C/2/0/1     B/2/0/1     A/2/0/1     D/3/1/2     C/2/1/2     A/2/1/2
      A/2/2/3     A/2/3/4     A/2/5/6     A/2/7/8   A/2/10/11   A/2/14/15   A/2/21/22   A/2/30/31
B   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
      F/8/0/1     E/5/0/1     D/3/0/1     C/2/0/1     B/2/0/1     A/2/0/1     D/3/1/2     C/2/1/2     B/2/1/2
      B/2/2/3     B/2/3/4     B/2/5/6     B/2/7/8   B/2/10/11   B/2/14/15   B/2/21/22   B/2/30/31
C   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
      F/8/0/1     E/5/0/1     D/3/0/1     C/2/0/1     B/2/0/1     E/5/1/2     D/3/1/2     C/2/1/2     C/2/2/3
      C/2/3/4     C/2/5/6     C/2/6/7     C/2/8/9   C/2/10/11   C/2/14/15   C/2/21/22   B/2/30/31
D   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
      F/8/0/1     E/5/0/1     D/3/0/1     C/2/0/1     F/8/1/2     E/5/1/2     D/3/1/2     D/3/2/3     D/3/3/4
      D/3/5/6     D/3/6/7     D/3/8/9   D/3/10/11   D/3/14/15   D/3/21/22   C/2/21/22   B/2/30/31
E   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
      F/8/0/1     E/5/0/1     D/3/0/1    G/13/1/2     F/8/1/2     E/5/1/2     E/5/2/3     E/5/3/4     E/5/5/6
      E/5/6/7     E/5/8/9   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
F   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
      F/8/0/1     E/5/0/1    H/20/1/2    G/13/1/2     F/8/1/2     F/8/2/3     F/8/3/4     F/8/5/6     F/8/6/7
      F/8/8/9   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
G   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
      F/8/0/1    J/32/1/2    H/20/1/2    G/13/1/2    G/13/2/3    G/13/3/4    G/13/5/6    G/13/6/7    G/13/8/9
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
H   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    G/13/0/1
     K/50/1/2    J/32/1/2    H/20/1/2    H/20/2/3    H/20/3/4    H/20/5/6    H/20/6/7    H/20/8/9  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
J   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1    H/20/0/1    L/80/1/2
     K/50/1/2    J/32/1/2    J/32/2/3    J/32/3/4    J/32/5/6    J/32/6/7    J/32/8/9  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
K   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1    J/32/0/1   M/125/1/2    L/80/1/2
     K/50/1/2    K/50/2/3    K/50/3/4    K/50/5/6    K/50/6/7    K/50/8/9  K/50/10/11  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
L   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1    K/50/0/1   N/200/1/2   M/125/1/2    L/80/1/2
     L/80/2/3    L/80/3/4    L/80/5/6    L/80/6/7    L/80/8/9  L/80/10/11  K/50/10/11  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
M   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1    L/80/0/1   P/315/1/2   N/200/1/2   M/125/1/2   M/125/2/3
    M/125/3/4   M/125/5/6   M/125/6/7   M/125/8/9 M/125/10/11  L/80/10/11  K/50/10/11  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
N   Q/500/0/1   P/315/0/1   N/200/0/1   M/125/0/1   Q/500/1/2   P/315/1/2   N/200/1/2   N/200/2/3   N/200/3/4
    N/200/5/6   N/200/6/7   N/200/8/9 N/200/10/11 M/125/10/11  L/80/10/11  K/50/10/11  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
P   Q/500/0/1   P/315/0/1   N/200/0/1   R/800/1/2   Q/500/1/2   P/315/1/2   P/315/2/3   P/315/3/4   P/315/5/6
    P/315/6/7   P/315/8/9 P/315/10/11 N/200/10/11 M/125/10/11  L/80/10/11  K/50/10/11  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
Q   Q/500/0/1   P/315/0/1   N/200/0/1   R/800/1/2   Q/500/1/2   Q/500/2/3   Q/500/3/4   Q/500/5/6   Q/500/6/7
    Q/500/8/9 Q/500/10/11 P/315/10/11 N/200/10/11 M/125/10/11  L/80/10/11  K/50/10/11  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
R   Q/500/0/1   P/315/0/1   N/200/0/1   R/800/1/2   R/800/2/3   R/800/3/4   R/800/5/6   R/800/6/7   R/800/8/9
  R/800/10/11 Q/500/10/11 P/315/10/11 N/200/10/11 M/125/10/11  L/80/10/11  K/50/10/11  J/32/10/11  H/20/10/11
   G/13/10/11   F/8/10/11   E/5/10/11   E/5/14/15   E/5/21/22   D/3/21/22   C/2/21/22   B/2/30/31
"""

# GB/T 2828.1-2012 Table 2-C, columns 1.0 and 2.5 as printed (second transcription); rows A..R.
REDUCED_1999_PRINTED = {
    "1.0": "↓ ↓ ↓ ↓ 0/1 ↑ ↓ ↓ 1/2 2/3 3/4 5/6 6/7 8/9 10/11 ↑",
    "2.5": "↓ ↓ 0/1 ↑ ↓ ↓ 1/2 2/3 3/4 5/6 6/7 8/9 10/11 ↑ ↑ ↑",
}
REDUCED_N = dict(zip(LETTERS, (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800), strict=True))


def rows(text: str) -> dict[str, list[str]]:
    """{letter: 26 cells} from a block where a letter starts each row and cells may wrap."""
    table: dict[str, list[str]] = {}
    letter = ""
    for line in text.strip("\n").splitlines():
        if line[:1].strip():
            letter, line = line[0], line[1:]
        table.setdefault(letter, []).extend(line.split())
    assert list(table) == list(LETTERS) and all(len(cells) == 26 for cells in table.values())
    return table


def resolve_printed(column: list[str], start: int) -> tuple[int, str]:
    """This file's own arrow resolver for one printed column: (row index reached, "Ac/Re")."""
    row = start
    while column[row] in "↓↑":
        row += 1 if column[row] == "↓" else -1
    return row, column[row]


def lots(spec: str, severity: str = "normal", ac: int = 0, **extra) -> list[Lot]:
    """'a' accepted, 'r' not accepted, one lot per letter, all under one severity."""
    return [Lot(severity, char == "a", ac, **extra) for char in spec]


# ---------------------------------------------------------------------------------------------
# Table 1


@pytest.mark.parametrize(("low", "high", "letters"), MIL_TABLE_I)
def test_code_letter_of_every_cell_of_table_1_at_both_edges_of_each_range(low, high, letters):
    for level, letter in zip(LEVELS, letters.split(), strict=True):
        assert code_letter(low, level) == letter, (low, level)
        assert code_letter(high, level) == letter, (high, level)


def test_code_letter_changes_exactly_at_each_range_boundary():
    for (_low, high, _letters), (_next_low, _next_high, next_letters) in itertools.pairwise(MIL_TABLE_I):
        assert [code_letter(high + 1, level) for level in LEVELS] == next_letters.split()


def test_a_lot_of_one_item_is_inspected_whole():
    result = plan(1, "III", "0.65")
    assert result.code_letter == "B" and result.full_inspection and result.sample_size == 1


# ---------------------------------------------------------------------------------------------
# Master tables, every code letter under every AQL, after arrows


@pytest.mark.parametrize(("severity", "text"), [("normal", "MIL_II_A"), ("tightened", "MIL_II_B")])
def test_normal_and_tightened_tables_match_mil_std_105e_in_every_cell(severity, text):
    expected = rows(globals()[text])
    for letter in LETTERS:
        for aql, cell in zip(AQL_LABELS, expected[letter], strict=True):
            n, ac = (int(part) for part in cell.split("/"))
            _plan_letter, got_n, got_ac, got_re = master_plan(letter, aql, severity)
            assert (got_n, got_ac, got_re) == (n, ac, ac + 1), (severity, letter, aql)


def test_reduced_table_matches_the_1999_transcription_in_every_cell():
    expected = rows(GB_2_C)
    for letter in LETTERS:
        for aql, cell in zip(AQL_LABELS, expected[letter], strict=True):
            final, n, ac, re = cell.split("/")
            assert master_plan(letter, aql, "reduced") == (final, int(n), int(ac), int(re)), (letter, aql)


@pytest.mark.parametrize("aql", sorted(REDUCED_1999_PRINTED))
def test_reduced_columns_match_a_second_printed_transcription(aql):
    column = REDUCED_1999_PRINTED[aql].split()
    for start, letter in enumerate(LETTERS):
        reached, cell = resolve_printed(column, start)
        ac, re = (int(part) for part in cell.split("/"))
        plan_letter = LETTERS[reached]
        assert master_plan(letter, aql, "reduced") == (plan_letter, REDUCED_N[plan_letter], ac, re), letter


def test_reduced_table_keeps_the_1989_plans_where_the_1989_plan_is_0_1():
    expected = rows(MIL_II_C)
    compared = 0
    for letter in LETTERS:
        for aql, cell in zip(AQL_LABELS, expected[letter], strict=True):
            n, ac, re = (int(part) for part in cell.split("/"))
            if (ac, re) == (0, 1):
                compared += 1
                _plan_letter, got_n, got_ac, got_re = master_plan(letter, aql, "reduced")
                assert (got_n, got_ac, got_re) == (n, 0, 1), (letter, aql)
    assert compared > 120  # the region left of each row's first plan


def test_reduced_plans_of_1999_have_no_gap_and_differ_from_1989():
    for letter in LETTERS:
        for aql in AQL_LABELS:
            _letter, _n, ac, re = master_plan(letter, aql, "reduced")
            assert re == ac + 1
    # 1989 (MIL-STD-105E II-C): K under 1.0 is n 50, Ac 1, Re 4; 1999: n 50, Ac 2, Re 3.
    assert rows(MIL_II_C)["K"][AQL_LABELS.index("1.0")] == "50/1/4"
    assert master_plan("K", "1.0", "reduced") == ("K", 50, 2, 3)


def test_tightened_a_under_aql_10_follows_the_arrow_of_mil_std_105e():
    # The GB/T transcription has a plan 0/1 (n 2) here; MIL-STD-105E Table II-B an arrow to D.
    assert master_plan("A", "10", "tightened") == ("D", 8, 1, 2)


def test_tightened_row_s_is_reached_only_under_aql_0_025():
    assert master_plan("Q", "0.025", "tightened") == ("S", 3150, 1, 2)
    assert master_plan("R", "0.025", "tightened") == ("S", 3150, 1, 2)
    reached = {master_plan(letter, aql, "tightened")[0] for letter in LETTERS for aql in AQL_LABELS}
    assert "S" in reached
    assert {
        aql for letter in LETTERS for aql in AQL_LABELS if master_plan(letter, aql, "tightened")[0] == "S"
    } == {"0.025"}


# ---------------------------------------------------------------------------------------------
# Arrows: examples from the published tables and from other implementations' published checks


@pytest.mark.parametrize(
    ("lot_size", "level", "aql", "severity", "expected"),
    [
        # normal, code letter B (lot 9-15, II) under 6.5: ↑ to A, n 2, 0/1
        (12, "II", "6.5", "normal", ("B", "A", 2, 0, 1)),
        # normal, code letter F (lot 91-150, II) under 1.0: ↑ to E, n 13, 0/1
        (150, "II", "1.0", "normal", ("F", "E", 13, 0, 1)),
        # normal, code letter G (lot 151-280, II) under 1.0: ↓ to H, n 50, 1/2
        (200, "II", "1.0", "normal", ("G", "H", 50, 1, 2)),
        (2000, "II", "2.5", "normal", ("K", "K", 125, 7, 8)),
        (90, "II", "0.65", "normal", ("E", "F", 20, 0, 1)),
        (600000, "II", "2.5", "normal", ("Q", "N", 500, 21, 22)),
        # normal, code letter R under 0.015: a long ↑ through Q to P, n 800, 0/1
        (600000, "III", "0.015", "normal", ("R", "P", 800, 0, 1)),
        # tightened, code letter G under 1.0: a long ↓ through H to J, n 80, 1/2
        (200, "II", "1.0", "tightened", ("G", "J", 80, 1, 2)),
        (2000, "II", "2.5", "tightened", ("K", "K", 125, 5, 6)),
        (200, "II", "2.5", "tightened", ("G", "G", 32, 1, 2)),
        # reduced (1999): J 1.0 is 1/2 with n 32; C 2.5 is 0/1 with n 2; M 6.5 is ↑ to L, n 80, 10/11
        (1000, "II", "1.0", "reduced", ("J", "J", 32, 1, 2)),
        (20, "II", "2.5", "reduced", ("C", "C", 2, 0, 1)),
        (20000, "II", "6.5", "reduced", ("M", "L", 80, 10, 11)),
    ],
)
def test_published_examples_after_arrows(lot_size, level, aql, severity, expected):
    result = plan(lot_size, level, aql, severity)
    got = (result.code_letter, result.plan_letter, result.table_sample_size, result.accept, result.reject)
    assert got == expected
    assert result.arrow_followed == (expected[0] != expected[1])


# ---------------------------------------------------------------------------------------------
# 100 % inspection


def test_full_inspection_when_the_sample_size_reaches_the_lot_size():
    # lot 13 at level II: code letter B under 1.0 points down to E, n 13 = N.
    exact = plan(13, "II", "1.0")
    assert (exact.plan_letter, exact.table_sample_size, exact.full_inspection, exact.sample_size) == (
        "E",
        13,
        True,
        13,
    )
    bigger = plan(5, "II", "1.0")
    assert bigger.full_inspection and bigger.sample_size == 5 and (bigger.accept, bigger.reject) == (0, 1)
    # lot 16 (code letter C) under 1.0: E, n 13 < 16, sampled.
    sampled = plan(16, "II", "1.0")
    assert not sampled.full_inspection and sampled.sample_size == 13


# ---------------------------------------------------------------------------------------------
# Inputs


@pytest.mark.parametrize(
    "aql", ["1.0", "1", " 1.00 ", Decimal("1"), Decimal("1.000"), 1.0, 1, "۱٫۰", "1,0", "1.0%"]
)
def test_aql_written_in_any_usual_way(aql):
    assert plan(1200, "II", aql).aql_label == "1.0"


@pytest.mark.parametrize(
    ("aql", "label"), [("0.65", "0.65"), (".65", "0.65"), (0.065, "0.065"), ("10.0", "10")]
)
def test_aql_labels_as_printed(aql, label):
    assert plan(1200, "II", aql).aql_label == label


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lot_size": 0}, "lot_size"),
        ({"lot_size": -5}, "lot_size"),
        ({"lot_size": "12.5"}, "lot_size"),
        ({"lot_size": True}, "lot_size"),
        ({"lot_size": 1200.0}, "lot_size"),
        ({"lot_size": MAX_LOT_SIZE + 1}, "lot_size"),
        ({"lot_size": "9" * 5000}, "lot_size"),
        ({"lot_size": None}, "lot_size"),
        ({"level": "iv"}, "level"),
        ({"level": ""}, "level"),
        ({"level": None}, "level"),
        ({"aql": "abc"}, "aql"),
        ({"aql": "0.5"}, "aql"),
        ({"aql": "-1"}, "aql"),
        ({"aql": "nan"}, "aql"),
        ({"aql": float("inf")}, "aql"),
        ({"aql": True}, "aql"),
        ({"aql": "1" * 5000}, "aql"),
        ({"severity": "x"}, "severity"),
        ({"severity": None}, "severity"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(kwargs, field):
    args = {"lot_size": 1200, "level": "II", "aql": "1.0", "severity": "normal", **kwargs}
    with pytest.raises(SamplingError) as caught:
        plan(**args)
    assert caught.value.field == field and isinstance(caught.value, ValueError)
    assert str(caught.value) and str(caught.value) == str(caught.value.message)


def test_lot_sizes_and_levels_written_in_other_usual_ways():
    assert plan("۱۲۰۰", "ii", "1.0") == plan(1200, "II", "1.0")
    assert plan("1,200", " s-4 ", "1.0").level == "S-4"
    assert plan("1 200", "S4", "1.0").code_letter == "F"


# ---------------------------------------------------------------------------------------------
# Switching rules (ISO 2859-1:1999 clause 9)


def test_inspection_starts_at_normal():
    state = switching_state([])
    assert (state.severity, state.discontinued, state.switching_score, state.rule) == (
        "normal",
        False,
        0,
        "9.1",
    )
    assert "9.1" in str(state.reason)


@pytest.mark.parametrize("spec", ["rr", "rar", "raar", "raaar", "aaaaaaraaar"])
def test_normal_to_tightened_when_2_of_5_or_fewer_consecutive_lots_not_accepted(spec):
    state = switching_state(lots(spec))
    assert state.severity == "tightened" and state.rule == "9.3.1" and "9.3.1" in str(state.reason)


@pytest.mark.parametrize("spec", ["r", "raaaar", "aaaraaaar"])
def test_normal_stays_when_the_two_lots_not_accepted_are_more_than_5_apart(spec):
    assert switching_state(lots(spec)).severity == "normal"


def test_tightened_to_normal_after_5_consecutive_lots_accepted_and_not_4():
    history = lots("rr") + lots("aaaa", "tightened")
    assert switching_state(history).severity == "tightened"
    state = switching_state([*history, *lots("a", "tightened")])
    assert state.severity == "normal" and state.rule == "9.3.2"
    # the run must be consecutive
    broken = lots("rr") + lots("aaaraaaa", "tightened")
    assert switching_state(broken).severity == "tightened"
    assert switching_state([*broken, *lots("a", "tightened")]).severity == "normal"


def test_discontinued_when_5_lots_not_accepted_on_tightened_inspection_and_not_4():
    history = lots("rr") + lots("rarara", "tightened")
    four = switching_state([*history, *lots("a", "tightened")])
    assert not four.discontinued and four.not_accepted_on_tightened == 3
    state = switching_state([*history, *lots("rr", "tightened")])
    assert state.discontinued and state.rule == "9.4" and state.not_accepted_on_tightened == 5
    assert "9.4" in str(state.reason)


def test_resuming_after_discontinuation_starts_at_tightened():
    history = lots("rr") + lots("rrrrr", "tightened")
    assert switching_state(history).discontinued
    resumed = switching_state(history, resume=True)
    assert (resumed.severity, resumed.discontinued, resumed.not_accepted_on_tightened) == (
        "tightened",
        False,
        0,
    )
    # lots recorded after the discontinuation are a resumption: a fresh tightened run
    after = switching_state([*history, *lots("raaaa", "tightened")])
    assert (after.severity, after.discontinued, after.not_accepted_on_tightened) == ("tightened", False, 1)
    assert switching_state([*history, *lots("aaaaa", "tightened")]).severity == "normal"


def test_switching_score_adds_2_per_lot_accepted_with_acceptance_number_0_or_1():
    assert switching_state(lots("a" * 14, ac=1), reduced_approved=True).severity == "normal"
    state = switching_state(lots("a" * 15, ac=0), reduced_approved=True)
    assert (state.severity, state.switching_score, state.rule) == ("reduced", 30, "9.3.3")


def test_switching_score_adds_3_when_accepted_at_one_aql_step_tighter():
    # Ac 3: one step tighter is Ac 2 (same row of Table 2-A).
    nine = lots("a" * 9, ac=3, nonconforming=2)
    assert switching_state(nine, reduced_approved=True).switching_score == 27
    ten = [*nine, *lots("a", ac=3, accepted_one_step_tighter=True)]
    assert switching_state(ten, reduced_approved=True).severity == "reduced"


def test_switching_score_resets_on_a_lot_accepted_only_at_the_aql_and_on_a_lot_not_accepted():
    history = lots("a" * 9, ac=3, nonconforming=0)
    assert switching_state([*history, *lots("a", ac=3, nonconforming=3)]).switching_score == 0
    assert switching_state([*history, *lots("r", ac=3, nonconforming=4)]).switching_score == 0
    assert switching_state([*lots("a" * 14), *lots("r"), *lots("a")]).switching_score == 2


def test_switching_score_restarts_at_zero_when_normal_inspection_starts_again():
    history = lots("a" * 10) + lots("rr") + lots("aaaaa", "tightened")
    state = switching_state(history)
    assert (state.severity, state.switching_score) == ("normal", 0)
    assert switching_state([*history, *lots("aa")]).switching_score == 4


def test_reduced_needs_steady_production_and_the_authoritys_approval():
    fifteen = lots("a" * 15)
    assert switching_state(fifteen).severity == "normal"  # not approved
    assert switching_state(fifteen, reduced_approved=True, production_steady=False).severity == "normal"
    assert switching_state(fifteen, reduced_approved=True).severity == "reduced"


def test_reduced_to_normal_on_a_lot_not_accepted_irregular_production_or_the_authority():
    on_reduced = lots("a" * 15) + lots("aaa", "reduced")
    assert switching_state(on_reduced).severity == "reduced"
    rejected = switching_state([*on_reduced, *lots("r", "reduced")])
    assert (rejected.severity, rejected.rule, rejected.switching_score) == ("normal", "9.3.4", 0)
    assert switching_state(on_reduced, production_steady=False).severity == "normal"
    assert switching_state(on_reduced, normal_required=True).rule == "9.3.4"


def test_resubmitted_lots_do_not_count():
    history = [*lots("r"), Lot("normal", False, resubmitted=True), *lots("a")]
    assert switching_state(history).severity == "normal"


def test_lots_recorded_under_another_severity_than_the_rules_gave_are_reported():
    history = lots("aa") + lots("a", "tightened") + lots("a")
    state = switching_state(history)
    assert state.departures == (2, 3) and state.severity == "normal"


def test_an_acceptance_number_of_2_or_more_needs_the_count_or_the_answer():
    with pytest.raises(SamplingError) as caught:
        switching_state(lots("a", ac=2))
    assert caught.value.field == "lots"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), max_size=70))
def test_a_scheme_run_by_these_rules_obeys_clause_9(steps):
    """Inspect lots one by one under the severity the function gives, with random outcomes and
    random flags, and check every switch against clause 9."""
    history: list[Lot] = []
    state = switching_state(history)
    for accepted, steady, approved in steps:
        if state.discontinued:
            state = switching_state(history, resume=True)
        history.append(Lot(state.severity, accepted, 1))
        before = state
        state = switching_state(history, production_steady=steady, reduced_approved=approved)
        lot_severity = history[-1].severity
        assert state.departures == ()
        if state.severity == "reduced" and lot_severity == "normal":
            assert state.switching_score >= 30 and steady and approved
        if lot_severity == "normal" and state.severity == "tightened":
            run = list(itertools.takewhile(lambda lot: lot.severity == "normal", reversed(history)))
            assert [lot.accepted for lot in run[:5]].count(False) >= 2
        if lot_severity == "tightened" and state.severity == "normal":
            assert all(lot.accepted and lot.severity == "tightened" for lot in history[-5:])
        if state.discontinued:
            assert before.severity == "tightened" and not accepted and state.not_accepted_on_tightened == 5
        if lot_severity == "reduced" and state.severity == "normal":
            assert not accepted or not steady
        assert 0 <= state.switching_score <= 2 * len(history)
