"""Units of measure of lab results: the symbols Hami knows, exact conversions, and the checks a result
must pass before a decision rule sees it. No Django model import (gettext only, for messages).

Every unit belongs to one *kind* of quantity (mass, mass fraction, Celsius temperature, ...) and has an
exact rational `factor` to the kind's base unit. Two units convert into each other only when they are of
the same kind, and only exactly: `convert` works in `Fraction`s and refuses a result that has no finite
decimal expansion (60 s is 1 min, but 100 s is 1.666... min) rather than round it, because a rounded value
can land on a limit and change a verdict. No unit has an offset (see "Temperatures"), so an expanded
uncertainty converts with the same factor as the value.

Decisions taken here, each documented in docs/decision-rules.md with its source:

- Temperatures. In Hami's standards every "K" is a temperature *rise* (IEC 60335-1 cl. 11, IEC 60884-1
  cl. 19, IEC 60898-1 cl. 9.8 give temperature rises in K) and every "°C" is a Celsius temperature
  (smoke point, flash point, core temperature). A rise converts 1:1 between K and °C, a temperature with
  an offset of 273.15 (ISO 80000-5:2019, item 5-2): the symbol alone cannot say which, and the wrong
  guess moves a value by 273.15. So K (kind: temperature difference) and °C (kind: Celsius temperature,
  at least -273.15 °C) do not convert into each other; a lab reports in the requirement's unit.
- "%" alone is a percentage of an unstated basis: Hami's data uses it for mass fractions (fat, moisture),
  elongations (350 %), values relative to a rated value (≥ 100 %) and signed deviations (-10 % to 10 %).
  It therefore has no sign or upper bound and converts only to ‰. The fractions of a whole that are
  written with their basis ("% m/m", "g/100 g", "mg/kg", "% v/v", "% positive fields", °Brix, °P) are
  bounded to [0, 100 %] and the mass (volume) fractions convert among themselves.
- "ppm" and "ppb" are read as mass fractions (mg/kg, µg/kg), the meaning they have in food and chemical
  testing; the SI does not accept them (NIST SP 811:2008 §7.10.3) because they can also mean a volume or
  amount fraction, so a "ppm" sent for a mg/L (mass concentration) requirement is refused, not converted.
- "g" is the gram. Two helmet requirements in the demo data (UN R22, EN 1078 peak acceleration) use "g"
  for the standard acceleration of gravity; their symbol should be "g_n" (9.80665 m/s², exact by the
  3rd CGPM, 1901). As long as lab and requirement both say "g" nothing is converted, so nothing goes wrong;
  a lab sending m/s² for them is refused (mass vs acceleration) instead of being converted wrongly.
- "IU" is the ICUMSA unit of sugar colour in Hami's data (ICUMSA GS2/3-10), not a vitamin's
  International Unit; both are arbitrary scales that never convert, so the one symbol serves both.
- "x" (also "×") is a dimensionless multiple ("times"), not negative.

Spelling: `normalize_unit` folds the micro sign (U+00B5) and the Greek mu (U+03BC) to the micro sign
Hami's data uses, the ohm sign and "ohm" to Ω, "℃", "deg C", "oC" to °C, "m2"/"m^2" to m², "N.m"/"N m"
to N·m, "mg kg-1" to mg/kg, Persian digits, Arabic percent and a few Persian unit names ("درصد" → %).
Case is folded only when the folded spelling is unambiguous and longer than one letter ("MPA" → MPa, but
"NM" could be N·m or nm, and "M", "K", "G" keep their case).

Values are stored by Hami in DecimalFields with max_digits 14 and decimal_places 4 (the Requirement's
low/high, and lab results, which are stored in the requirement's unit): at most 10 digits before the
point and 4 after it. `check_result` refuses a value or an uncertainty that would not fit, as reported or
once converted, rather than let the database round it.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext as _

from hami.core.errors import HamiError
from hami.core.persian import normalize_text

# The DecimalField shape of Requirement.low/high (hami/standards/models.py) and of stored results.
MAX_DIGITS = 14
DECIMAL_PLACES = 4
INTEGER_DIGITS = MAX_DIGITS - DECIMAL_PLACES


class ResultErrorCode(StrEnum):
    UNKNOWN_UNIT = "unknown_unit"  # the symbol is not in the table
    AMBIGUOUS_UNIT = "ambiguous_unit"  # only its case was wrong, and two units share the folded spelling
    INCOMPATIBLE_UNITS = "incompatible_units"  # different kinds of quantity (mass vs length, K vs °C)
    INEXACT_CONVERSION = "inexact_conversion"  # the converted value has no finite decimal expansion
    MISSING_VALUE = "missing_value"
    NOT_A_NUMBER = "not_a_number"  # unparseable, NaN or infinite
    TOO_MANY_DIGITS = "too_many_digits"  # does not fit max_digits 14, decimal_places 4
    NEGATIVE_VALUE = "negative_value"  # the quantity cannot be negative
    BELOW_MINIMUM = "below_minimum"  # below a physical minimum other than zero (absolute zero)
    ABOVE_MAXIMUM = "above_maximum"  # a fraction of a whole above 100 %
    NEGATIVE_UNCERTAINTY = "negative_uncertainty"
    UNCERTAINTY_EXCEEDS_VALUE = "uncertainty_exceeds_value"


class UnitError(HamiError, ValueError):
    """A unit symbol is unknown, or two units do not convert (exactly) into each other. `field` is "unit"."""

    def __init__(self, code: ResultErrorCode, message: str, *, field: str = "unit"):
        super().__init__(code, message, field=field)


class ResultError(HamiError, ValueError):
    """A lab result cannot be used as reported; `field` is "value", "uncertainty", "unit" or
    "requirement_unit" (the standard's own unit is unknown: a data problem, not the lab's)."""

    def __init__(self, code: ResultErrorCode, message: str, *, field: str):
        super().__init__(code, message, field=field)


@dataclass(frozen=True)
class Kind:
    """A kind of quantity. `lower`/`upper` are the physically possible values in the kind's base unit
    (None: unbounded). A kind whose lower bound is 0 has a true zero: its values cannot be negative."""

    name: str
    lower: Fraction | None = Fraction(0)
    upper: Fraction | None = None

    @property
    def negative(self) -> bool:
        return self.lower is None or self.lower < 0


@dataclass(frozen=True)
class Unit:
    symbol: str  # canonical spelling, as Hami's standards write it
    kind: Kind
    factor: Fraction  # a value in this unit × factor = the value in the kind's base unit
    aliases: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def negative(self) -> bool:
        """Whether negative values make physical sense."""
        return self.kind.negative

    @property
    def lower(self) -> Decimal | None:
        """The smallest possible value in this unit (None: unbounded)."""
        return None if self.kind.lower is None else _finite_decimal(self.kind.lower / self.factor)

    @property
    def upper(self) -> Decimal | None:
        """The largest possible value in this unit (None: unbounded)."""
        return None if self.kind.upper is None else _finite_decimal(self.kind.upper / self.factor)


def _f(text: str) -> Fraction:
    return Fraction(text)


# --- Kinds --------------------------------------------------------------------------------------------
# Bounds: a mass, a length, a duration, a count, a concentration cannot be negative; a fraction of a
# whole (mass or volume fraction, % of fields, °Brix, °Plato) lies in [0, 1]; a Celsius temperature is at
# least -273.15 °C (ISO 80000-5:2019, item 5-2: t = T - 273.15 K). Signed kinds: dimensionless numbers and
# generic percentages (deviations), temperature differences, angles, levels in dB, log reductions and
# the International Sugar Scale (a levorotatory sample polarizes below 0 °Z).
NUMBER = Kind("number", lower=None)
PERCENT = Kind("percent", lower=None)
MASS_FRACTION = Kind("mass_fraction", upper=Fraction(1))
VOLUME_FRACTION = Kind("volume_fraction", upper=Fraction(1))
POSITIVE_FIELDS = Kind("positive_fields", upper=Fraction(100))  # Howard mould count, AOAC 965.41
BRIX = Kind("brix", upper=Fraction(100))  # ICUMSA: °Brix is % m/m sucrose-equivalent soluble solids
PLATO = Kind("plato", upper=Fraction(100))  # EBC 9.4: °P is % m/m extract of wort or beer
SUGAR_SCALE = Kind("international_sugar_scale", lower=None)  # ICUMSA GS2/3-1 polarization, °Z
MASS = Kind("mass")  # base g
LENGTH = Kind("length")  # base m
AREA = Kind("area")  # base m²
VOLUME = Kind("volume")  # base L
TIME = Kind("time")  # base s
CELSIUS = Kind("celsius_temperature", lower=Fraction("-273.15"))  # base °C
TEMPERATURE_DIFFERENCE = Kind("temperature_difference", lower=None)  # base K
PRESSURE = Kind("pressure")  # base Pa; Hami's pressures and strengths are magnitudes (vacuum as positive)
FORCE = Kind("force")  # base N
FORCE_PER_LENGTH = Kind("force_per_length")  # base N/m
FORCE_RATIO = Kind("force_ratio")  # N/kN: rolling resistance coefficient (ISO 28580)
TORQUE = Kind("torque")  # base N·m
ENERGY = Kind("energy")  # base J
POWER = Kind("power")  # base W
CURRENT = Kind("current")  # base A (r.m.s. or magnitudes in Hami's safety tests)
VOLTAGE = Kind("voltage")  # base V (r.m.s. or magnitudes)
FREQUENCY = Kind("frequency")  # base Hz
RESISTANCE = Kind("resistance")  # base Ω
RESISTANCE_LENGTH = Kind("resistance_times_length")  # base Ω·m: insulation resistance constant
RESISTANCE_PER_LENGTH = Kind("resistance_per_length")  # base Ω/m: conductor resistance
THERMAL_CONDUCTIVITY = Kind("thermal_conductivity")  # base W/(m·K)
FIRE_GROWTH_RATE = Kind("fire_growth_rate")  # W/s: FIGRA index, EN 13823
AIRFLOW_PER_POWER = Kind("airflow_per_power")  # (m³/h)/W: evaporative cooler efficiency ratio
VOLUME_PER_MASS = Kind("volume_per_mass")  # base L/kg
MASS_PER_CHARGE = Kind("mass_per_charge")  # g/Ah: battery water consumption, IEC 60095-1
ENERGY_PER_DAY = Kind("energy_per_day")  # kWh/24 h: standby heat loss
ENERGY_PER_MASS = Kind("energy_per_mass")  # base kWh/kg
WATER_PERMEABILITY = Kind("water_absorption_coefficient")  # kg/(m²·h^0.5), EN 1062-3
MASS_CONCENTRATION = Kind("mass_concentration")  # base g/L (also densities: same dimension)
MASS_PER_AREA = Kind("mass_per_area")  # base g/m²
SPECIFIC_SURFACE = Kind("specific_surface")  # base cm²/g (Blaine fineness)
DYNAMIC_VISCOSITY = Kind("dynamic_viscosity")  # base mPa·s
KINEMATIC_VISCOSITY = Kind("kinematic_viscosity")  # base mm²/s
LENGTH_RATIO = Kind("length_ratio")  # base mm/m (bow)
SPEED = Kind("speed")  # base mm/s
LUMINOUS_EFFICACY = Kind("luminous_efficacy")  # lm/W
ANGLE = Kind("angle", lower=None)  # base degree
EQUIVALENTS_PER_MASS = Kind("equivalents_per_mass")  # meq/kg (peroxide value, free acidity)
ACID_VALUE = Kind("acid_value")  # mg KOH/g, ISO 660
IODINE_VALUE = Kind("iodine_value")  # g I2/100 g, ISO 3961: grams of iodine absorbed, may exceed 100
TURBIDITY = Kind("turbidity")  # NTU
GLOSS = Kind("gloss")  # GU, ISO 2813 (above 100 for mirror-like surfaces)
ICUMSA_UNITS = Kind("arbitrary_units")  # IU
DIASTASE = Kind("diastase_activity")  # Schade units (diastase number), IHC 2009
SOUND_LEVEL = Kind("a_weighted_level", lower=None)  # dB(A): below 0 dB is possible, if rare
GAS_VOLUMES = Kind("gas_volumes")  # "vol": volumes of CO2 per volume of beverage (INSO 1250)
LOG_REDUCTION = Kind("log_reduction", lower=None)  # log10 reduction (EN 1276); growth is negative
TIMES = Kind("multiple")  # x
GRADE = Kind("grade")  # ISO 105 grey-scale and blue-wool grades, ISO 12945 pilling grades
CLASS = Kind("classification")  # ISO 2409 cross-cut classification 0 to 5
CYCLES = Kind("cycles")
OPERATIONS = Kind("operations")
PIECES = Kind("pieces")
CFU_PER_MASS = Kind("cfu_per_mass")  # base cfu/g
CFU_PER_VOLUME = Kind("cfu_per_volume")  # base cfu/mL
MASS_PER_ENERGY = Kind("mass_per_energy")  # base mg/kWh (NOx emission)
ACCELERATION = Kind("acceleration")  # base m/s² (peak magnitude)
PRESSURE_PER_AREA = Kind("pressure_per_area")  # Pa/cm²: differential pressure of mask material, EN 14683


def _u(symbol: str, kind: Kind, factor: str = "1", *aliases: str) -> Unit:
    return Unit(symbol, kind, _f(factor), aliases)


# --- The table ----------------------------------------------------------------------------------------
# Factors: SI prefixes (SI Brochure, 9th edition 2019, Table 7); minute, hour, day, degree, arcminute,
# arcsecond, litre (SI Brochure 9th ed., Table 8); bar = 100 kPa (SI Brochure 8th ed. 2006, Table 8);
# poise and stokes (SI Brochure 8th ed., Table 9: 1 cP = 1 mPa·s, 1 cSt = 1 mm²/s); kWh = 3.6 MJ;
# g_n = 9.80665 m/s² (3rd CGPM, 1901). Every factor is exact.
# fmt: off
UNITS_TABLE: tuple[Unit, ...] = (
    # Dimensionless, qualitative, generic percentages
    _u("", NUMBER, "1", "-", "–", "—", "1"),
    _u("%", PERCENT, "1", "percent", "per cent", "pct", "درصد"),
    _u("‰", PERCENT, "1/10", "per mille", "permille"),
    _u("x", TIMES, "1", "×", "times"),
    # Mass fractions (base: the unit one, a fraction of the whole)
    _u("% m/m", MASS_FRACTION, "1/100", "% w/w", "% (m/m)", "% (w/w)", "% mass", "wt%", "wt.%", "% wt",
       "درصد وزنی"),
    _u("g/100 g", MASS_FRACTION, "1/100", "g per 100 g", "گرم در ۱۰۰ گرم"),
    _u("g/kg", MASS_FRACTION, "1e-3"),
    _u("mg/g", MASS_FRACTION, "1e-3"),
    _u("mg/100 g", MASS_FRACTION, "1e-5", "mg per 100 g", "میلی‌گرم در ۱۰۰ گرم"),
    _u("mg/kg", MASS_FRACTION, "1e-6", "ppm", "میلی‌گرم بر کیلوگرم", "میلی‌گرم در کیلوگرم"),
    _u("µg/g", MASS_FRACTION, "1e-6", "ug/g"),
    _u("µg/kg", MASS_FRACTION, "1e-9", "ug/kg", "ppb", "میکروگرم بر کیلوگرم", "میکروگرم در کیلوگرم"),
    _u("ng/g", MASS_FRACTION, "1e-9"),
    _u("ng/kg", MASS_FRACTION, "1e-12"),
    # Volume fractions
    _u("% v/v", VOLUME_FRACTION, "1/100", "% (v/v)", "% vol", "vol%", "vol.%", "درصد حجمی"),
    _u("mL/100 mL", VOLUME_FRACTION, "1/100"),
    _u("mL/L", VOLUME_FRACTION, "1e-3"),
    _u("µL/L", VOLUME_FRACTION, "1e-6", "uL/L"),
    # Bounded scales of a whole
    _u("% positive fields", POSITIVE_FIELDS, "1", "% of positive fields", "% fields positive"),
    _u("°Brix", BRIX, "1", "Brix", "°Bx", "Bx", "deg Brix", "بریکس"),
    _u("°P", PLATO, "1", "°Plato", "Plato"),
    _u("°Z", SUGAR_SCALE, "1", "Z"),
    # Mass
    _u("µg", MASS, "1e-6", "ug", "میکروگرم"),
    _u("mg", MASS, "1e-3", "میلی‌گرم"),
    _u("g", MASS, "1", "gr", "gram", "grams", "گرم"),
    _u("kg", MASS, "1000", "کیلوگرم"),
    # Length
    _u("nm", LENGTH, "1e-9", "نانومتر"),
    _u("µm", LENGTH, "1e-6", "um", "micron", "microns", "میکرومتر", "میکرون"),
    _u("mm", LENGTH, "1e-3", "میلی‌متر"),
    _u("cm", LENGTH, "1e-2", "سانتی‌متر"),
    _u("m", LENGTH, "1", "متر"),
    _u("km", LENGTH, "1000", "کیلومتر"),
    # Area
    _u("mm²", AREA, "1e-6", "میلی‌متر مربع"),
    _u("cm²", AREA, "1e-4", "سانتی‌متر مربع"),
    _u("dm²", AREA, "1e-2"),
    _u("m²", AREA, "1", "متر مربع"),
    # Volume
    _u("µL", VOLUME, "1e-6", "uL"),
    _u("mL", VOLUME, "1e-3", "cm³", "cc", "میلی‌لیتر"),
    _u("L", VOLUME, "1", "l", "ℓ", "dm³", "litre", "liter", "لیتر"),
    _u("m³", VOLUME, "1000", "متر مکعب"),
    # Time
    _u("µs", TIME, "1e-6", "us"),
    _u("ms", TIME, "1e-3", "msec", "میلی‌ثانیه"),
    _u("s", TIME, "1", "sec", "secs", "second", "seconds", "ثانیه"),
    _u("min", TIME, "60", "mins", "minute", "minutes", "دقیقه"),
    _u("h", TIME, "3600", "hr", "hrs", "hour", "hours", "ساعت"),
    _u("d", TIME, "86400", "day", "days", "روز"),
    # Temperatures (see the module docstring: no conversion between them)
    _u("°C", CELSIUS, "1", "℃", "deg C", "degC", "oC", "C°", "Celsius", "degree Celsius", "degrees Celsius",
       "درجه سلسیوس", "درجه سانتی‌گراد", "درجه سانتیگراد"),
    _u("K", TEMPERATURE_DIFFERENCE, "1", "kelvin", "کلوین"),
    # Pressure and stress
    _u("Pa", PRESSURE, "1", "N/m²", "پاسکال"),
    _u("hPa", PRESSURE, "100"),
    _u("kPa", PRESSURE, "1000", "کیلوپاسکال"),
    _u("kN/m²", PRESSURE, "1000"),  # = kPa; ISO 9969 states ring stiffness in kN/m²
    _u("MPa", PRESSURE, "1e6", "مگاپاسکال"),
    _u("N/mm²", PRESSURE, "1e6"),  # = MPa; how strength is often written
    _u("GPa", PRESSURE, "1e9"),
    _u("mbar", PRESSURE, "100", "میلی‌بار"),
    _u("bar", PRESSURE, "1e5", "بار"),
    _u("Pa/cm²", PRESSURE_PER_AREA, "1"),
    # Force, torque
    _u("mN", FORCE, "1e-3"),
    _u("N", FORCE, "1", "newton", "نیوتن"),
    _u("kN", FORCE, "1000", "کیلونیوتن"),
    _u("N/50 mm", FORCE_PER_LENGTH, "20", "N/5 cm"),
    _u("N/mm", FORCE_PER_LENGTH, "1000"),
    _u("N/cm", FORCE_PER_LENGTH, "100"),
    _u("N/m", FORCE_PER_LENGTH, "1"),
    _u("kN/m", FORCE_PER_LENGTH, "1000"),
    _u("N/kN", FORCE_RATIO, "1"),
    _u("cN·m", TORQUE, "1e-2"),
    _u("N·m", TORQUE, "1", "N-m", "نیوتن متر"),
    # Energy, power
    _u("J", ENERGY, "1", "joule", "ژول"),
    _u("kJ", ENERGY, "1000"),
    _u("MJ", ENERGY, "1e6"),
    _u("Wh", ENERGY, "3600"),
    _u("kWh", ENERGY, "3.6e6", "کیلووات ساعت"),
    _u("mW", POWER, "1e-3"),
    _u("W", POWER, "1", "watt", "وات"),
    _u("kW", POWER, "1000", "کیلووات"),
    _u("kWh/24 h", ENERGY_PER_DAY, "1", "kWh/d", "kWh/day"),
    _u("kWh/kg", ENERGY_PER_MASS, "1"),
    _u("Wh/kg", ENERGY_PER_MASS, "1e-3"),
    _u("mg/kWh", MASS_PER_ENERGY, "1"),
    _u("g/kWh", MASS_PER_ENERGY, "1000"),
    _u("W/s", FIRE_GROWTH_RATE, "1"),
    _u("(m³/h)/W", AIRFLOW_PER_POWER, "1", "m³/(h·W)", "m³/h/W", "m³/h per W"),
    _u("lm/W", LUMINOUS_EFFICACY, "1"),
    # Electricity
    _u("µA", CURRENT, "1e-6", "uA"),
    _u("mA", CURRENT, "1e-3", "میلی‌آمپر"),
    _u("A", CURRENT, "1", "amp", "ampere", "amperes", "آمپر"),
    _u("kA", CURRENT, "1000"),
    _u("mV", VOLTAGE, "1e-3"),
    _u("V", VOLTAGE, "1", "volt", "volts", "ولت"),
    _u("kV", VOLTAGE, "1000", "کیلوولت"),
    _u("Hz", FREQUENCY, "1", "هرتز"),
    _u("kHz", FREQUENCY, "1000"),
    _u("mΩ", RESISTANCE, "1e-3", "میلی‌اهم"),
    _u("Ω", RESISTANCE, "1", "اهم"),
    _u("kΩ", RESISTANCE, "1000", "کیلواهم"),
    _u("MΩ", RESISTANCE, "1e6", "مگااهم"),
    _u("GΩ", RESISTANCE, "1e9", "گیگااهم"),
    _u("MΩ·km", RESISTANCE_LENGTH, "1e9"),
    _u("GΩ·m", RESISTANCE_LENGTH, "1e9"),
    _u("Ω/km", RESISTANCE_PER_LENGTH, "1e-3", "mΩ/m"),
    _u("Ω/m", RESISTANCE_PER_LENGTH, "1"),
    # Thermal, transport
    _u("W/(m·K)", THERMAL_CONDUCTIVITY, "1", "W/m·K", "W/(mK)", "W/mK", "W m-1 K-1"),
    _u("mW/(m·K)", THERMAL_CONDUCTIVITY, "1e-3", "mW/m·K", "mW/mK"),
    _u("kg/(m²·h^0.5)", WATER_PERMEABILITY, "1", "kg/(m²·h0.5)", "kg/m²h^0.5", "kg/m²h0.5", "kg/(m²·√h)",
       "kg/m²√h"),
    _u("L/kg", VOLUME_PER_MASS, "1", "mL/g"),
    _u("mL/kg", VOLUME_PER_MASS, "1e-3"),
    _u("g/Ah", MASS_PER_CHARGE, "1", "g/A·h"),
    # Mass concentration and density (base g/L; kg/m³ = g/L, g/mL = kg/L = g/cm³)
    _u("ng/mL", MASS_CONCENTRATION, "1e-6"),
    _u("µg/L", MASS_CONCENTRATION, "1e-6", "ug/L", "میکروگرم بر لیتر"),
    _u("µg/mL", MASS_CONCENTRATION, "1e-3", "ug/mL"),
    _u("mg/L", MASS_CONCENTRATION, "1e-3", "میلی‌گرم بر لیتر", "میلی‌گرم در لیتر"),
    _u("mg/dm³", MASS_CONCENTRATION, "1e-3"),
    _u("mg/mL", MASS_CONCENTRATION, "1"),
    _u("g/L", MASS_CONCENTRATION, "1", "گرم بر لیتر", "گرم در لیتر"),
    _u("kg/m³", MASS_CONCENTRATION, "1", "کیلوگرم بر متر مکعب"),
    _u("g/100 mL", MASS_CONCENTRATION, "10", "g per 100 mL", "گرم در ۱۰۰ میلی‌لیتر"),
    _u("g/mL", MASS_CONCENTRATION, "1000", "g/cm³", "گرم بر میلی‌لیتر"),
    _u("kg/L", MASS_CONCENTRATION, "1000", "کیلوگرم بر لیتر"),
    # Mass per area (base g/m²; mg/dm² = 0.1 g/m²)
    _u("mg/m²", MASS_PER_AREA, "1e-3"),
    _u("mg/dm²", MASS_PER_AREA, "1/10"),
    _u("mg/cm²", MASS_PER_AREA, "10"),
    _u("g/m²", MASS_PER_AREA, "1", "gsm", "گرم بر متر مربع"),
    _u("kg/m²", MASS_PER_AREA, "1000", "کیلوگرم بر متر مربع"),
    _u("cm²/g", SPECIFIC_SURFACE, "1"),
    _u("m²/kg", SPECIFIC_SURFACE, "10"),
    # Viscosity
    _u("mPa·s", DYNAMIC_VISCOSITY, "1", "cP", "cPs", "centipoise"),
    _u("Pa·s", DYNAMIC_VISCOSITY, "1000"),
    _u("mm²/s", KINEMATIC_VISCOSITY, "1", "cSt", "centistokes"),
    _u("cm²/s", KINEMATIC_VISCOSITY, "100", "St"),
    _u("m²/s", KINEMATIC_VISCOSITY, "1e6"),
    # Ratios of lengths, speeds, angles
    _u("µm/m", LENGTH_RATIO, "1e-3", "um/m"),
    _u("mm/m", LENGTH_RATIO, "1"),
    _u("mm/s", SPEED, "1"),
    _u("cm/s", SPEED, "10"),
    _u("m/s", SPEED, "1000"),
    _u("°", ANGLE, "1", "deg", "degree", "degrees", "درجه"),
    _u("arcmin", ANGLE, "1/60", "′", "'", "arc min", "minute of arc", "minutes of arc"),
    _u("arcsec", ANGLE, "1/3600", "″", "''", '"', "arc sec", "second of arc", "seconds of arc"),
    # Chemistry
    _u("meq/kg", EQUIVALENTS_PER_MASS, "1", "mEq/kg", "mequiv/kg", "milliequivalents/kg"),
    _u("meq O2/kg", EQUIVALENTS_PER_MASS, "1", "meq O₂/kg", "mEq O2/kg", "meq active oxygen/kg"),
    _u("mg KOH/g", ACID_VALUE, "1"),
    _u("g I2/100 g", IODINE_VALUE, "1", "g I₂/100 g", "g iodine/100 g"),
    # Arbitrary scales and counts: never converted
    _u("NTU", TURBIDITY, "1"),
    _u("GU", GLOSS, "1", "gloss units"),
    _u("IU", ICUMSA_UNITS, "1", "ICUMSA units", "ICUMSA"),
    _u("Schade", DIASTASE, "1", "Schade units", "DN", "diastase number"),
    _u("dB(A)", SOUND_LEVEL, "1", "dBA", "dB A", "dB (A)", "dB[A]"),
    _u("vol", GAS_VOLUMES, "1", "volumes", "vols"),
    _u("log", LOG_REDUCTION, "1", "log10", "lg", "log reduction", "log units"),
    _u("grade", GRADE, "1", "grades"),
    _u("class", CLASS, "1"),
    _u("cycles", CYCLES, "1", "cycle", "سیکل", "چرخه"),
    _u("operations", OPERATIONS, "1", "operation", "ops"),
    _u("pieces", PIECES, "1", "piece", "pcs", "pc", "عدد"),
    _u("cfu/g", CFU_PER_MASS, "1", "CFU/g"),
    _u("cfu/kg", CFU_PER_MASS, "1e-3", "CFU/kg"),
    _u("cfu/mL", CFU_PER_VOLUME, "1", "CFU/mL", "CFU/ml"),
    _u("cfu/100 mL", CFU_PER_VOLUME, "1/100", "CFU/100 mL"),
    _u("cfu/L", CFU_PER_VOLUME, "1e-3", "CFU/L"),
    # Acceleration: g_n is the standard acceleration of gravity (not the gram)
    _u("g_n", ACCELERATION, "9.80665", "gn", "gₙ", "g0"),
    _u("m/s²", ACCELERATION, "1"),
)
# fmt: on

UNITS: dict[str, Unit] = {unit.symbol: unit for unit in UNITS_TABLE}

# The symbols of Hami's standards as of the labs issue (hami/demo/vocab.py and the import samples): each
# is a canonical symbol above. A test keeps this list and the table in step.
HAMI_SYMBOLS: tuple[str, ...] = (
    "",
    "% positive fields",
    "% v/v",
    "%",
    "(m³/h)/W",
    "A",
    "GU",
    "Hz",
    "IU",
    "J",
    "K",
    "L/kg",
    "MPa",
    "MΩ",
    "MΩ·km",
    "N",
    "N/50 mm",
    "N/kN",
    "NTU",
    "N·m",
    "Pa/cm²",
    "Schade",
    "V",
    "W",
    "W/(m·K)",
    "W/s",
    "arcmin",
    "bar",
    "cfu/g",
    "cfu/mL",
    "class",
    "cm²/g",
    "cycles",
    "dB(A)",
    "g I2/100 g",
    "g",
    "g/100 g",
    "g/100 mL",
    "g/Ah",
    "g/L",
    "g/mL",
    "g/m²",
    "grade",
    "h",
    "kN/m²",
    "kPa",
    "kW",
    "kWh/24 h",
    "kWh/kg",
    "kg/(m²·h^0.5)",
    "kg/L",
    "kg/m²",
    "kg/m³",
    "lm/W",
    "log",
    "mA",
    "mPa·s",
    "mbar",
    "meq O2/kg",
    "meq/kg",
    "mg KOH/g",
    "mg/100 g",
    "mg/L",
    "mg/dm²",
    "mg/kWh",
    "mg/kg",
    "min",
    "mm",
    "mm/m",
    "mm/s",
    "mm²",
    "mm²/s",
    "ms",
    "nm",
    "operations",
    "pieces",
    "s",
    "vol",
    "x",
    "°",
    "°Brix",
    "°C",
    "°P",
    "°Z",
    "µg/L",
    "µg/kg",
    "µm",
    "Ω",
    "Ω/km",
)


# --- Spelling ---------------------------------------------------------------------------------------------
_CHAR_MAP = str.maketrans(
    {
        "\u03bc": "\u00b5",  # GREEK SMALL LETTER MU → MICRO SIGN: Hami's data writes µ as U+00B5
        "\u2126": "\u03a9",  # OHM SIGN → GREEK CAPITAL LETTER OMEGA
        "\u212a": "K",  # KELVIN SIGN
        "\u2103": "°C",  # DEGREE CELSIUS
        "\u00ba": "°",  # MASCULINE ORDINAL INDICATOR, typed for a degree sign
        "\u02da": "°",  # RING ABOVE, likewise
        "\u22c5": "·",  # DOT OPERATOR
        "\u2219": "·",  # BULLET OPERATOR
        "\u2022": "·",  # BULLET
        "\u2212": "-",  # MINUS SIGN
        "\u2010": "-",  # HYPHEN
        "\u2011": "-",  # NON-BREAKING HYPHEN
        "\u2044": "/",  # FRACTION SLASH
        "\u2215": "/",  # DIVISION SLASH
        "\u066a": "%",  # ARABIC PERCENT SIGN (Persian keyboards)
        "\uff05": "%",  # FULLWIDTH PERCENT SIGN
        "\ufe6a": "%",  # SMALL PERCENT SIGN
        "\u2082": "2",  # SUBSCRIPT TWO (I₂, O₂)
        "\u2113": "L",  # SCRIPT SMALL L
        "\u200c": "",  # ZWNJ: "میلی‌گرم", "میلی گرم" and "میلیگرم" meet
    }
)
_SUPERSCRIPT_EXPONENTS = {"⁻¹": "-1", "⁻²": "-2", "⁻³": "-3", "^-1": "-1", "^-2": "-2", "^-3": "-3"}
_SQUARE_CUBE = {"^2": "²", "^3": "³", "**2": "²", "**3": "³"}
_OHM = re.compile(r"ohms?", re.IGNORECASE)
_DOT_BETWEEN_NON_DIGITS = re.compile(r"(?<!\d)\.|\.(?!\d)")  # "N.m", "deg.C"; not "h^0.5"
_SPACES = re.compile(r"[\s·*]+")
# "m2", "mm2", "cm3" (a length symbol followed by 2 or 3) → "m²", "mm²", "cm³"; "O2" and "I2" untouched.
_LENGTH_POWER = re.compile(r"(?<![A-Za-zµ])([kcdmµn]?m)([23])(?![\d.])")


def _key(text: str) -> str:
    """The spelling-insensitive form of a symbol under which the table is searched (case kept)."""
    text = normalize_text(text)  # NFC, Persian letters, ASCII digits, no bidi marks
    for old, new in _SUPERSCRIPT_EXPONENTS.items():
        text = text.replace(old, new)
    for old, new in _SQUARE_CUBE.items():
        text = text.replace(old, new)
    text = text.translate(_CHAR_MAP)
    text = _OHM.sub("Ω", text)
    text = _SPACES.sub("", text)
    text = _DOT_BETWEEN_NON_DIGITS.sub("", text)
    return _LENGTH_POWER.sub(lambda m: m.group(1) + ("²" if m.group(2) == "2" else "³"), text)


_SIMPLE_QUOTIENT = re.compile(r"^([^/()]+)/([A-Za-zµΩ°]+?)([²³]?)$")


def _power_aliases(symbol: str) -> Iterable[str]:
    """ "mg/kg" is also written "mg kg-1" and "mg·kg⁻¹"; "kg/m³" as "kg m-3"."""
    match = _SIMPLE_QUOTIENT.match(symbol)
    if match and "%" not in symbol:
        numerator, denominator, power = match.groups()
        exponent = {"": "-1", "²": "-2", "³": "-3"}[power]
        yield f"{numerator} {denominator}{exponent}"


def _build_index() -> tuple[dict[str, Unit], dict[str, set[Unit]]]:
    exact: dict[str, Unit] = {}
    for unit in UNITS_TABLE:
        for spelling in (unit.symbol, *unit.aliases, *_power_aliases(unit.symbol)):
            key = _key(spelling)
            other = exact.setdefault(key, unit)
            if other is not unit:  # a table mistake: fail at import, never guess at run time
                raise RuntimeError(f"unit spelling {spelling!r} is both {other.symbol!r} and {unit.symbol!r}")
    folded: dict[str, set[Unit]] = {}
    for key, unit in exact.items():
        if len(key) > 1:  # m/M, k/K, g/G, s/S, h/H: the case of a one-letter symbol is meaningful
            folded.setdefault(key.casefold(), set()).add(unit)
    return exact, folded


_EXACT, _FOLDED = _build_index()


@functools.lru_cache(maxsize=2048)
def _resolve(text: str) -> Unit | frozenset[Unit] | None:
    """The unit a spelling names; a set of candidates when only its case is wrong and it is ambiguous."""
    key = _key(text)
    if key in _EXACT:
        return _EXACT[key]
    candidates = _FOLDED.get(key.casefold(), set())
    if len(candidates) == 1:
        return next(iter(candidates))
    return frozenset(candidates) or None


def unit_for(symbol: str | None) -> Unit:
    """The Unit a symbol (any known spelling) names. Raises UnitError (UNKNOWN_UNIT, AMBIGUOUS_UNIT)."""
    resolved = _resolve(symbol or "")
    if isinstance(resolved, Unit):
        return resolved
    if resolved:
        raise UnitError(
            ResultErrorCode.AMBIGUOUS_UNIT,
            _("The unit “{unit}” is ambiguous: write it as one of {choices}.").format(
                unit=symbol, choices=", ".join(sorted(f"“{u.symbol}”" for u in resolved))
            ),
        )
    raise UnitError(ResultErrorCode.UNKNOWN_UNIT, _("Unknown unit of measure “{unit}”.").format(unit=symbol))


def normalize_unit(symbol: str | None) -> str:
    """The canonical symbol of a unit ("ug/kg" → "µg/kg", "ppm" → "mg/kg", "" → "").
    Raises UnitError (UNKNOWN_UNIT, AMBIGUOUS_UNIT) with field "unit"."""
    return unit_for(symbol).symbol


def convertible(from_unit: str, to_unit: str) -> bool:
    """Whether values in one unit can be expressed in the other (same kind). Raises UnitError if unknown."""
    return unit_for(from_unit).kind is unit_for(to_unit).kind


def convert(value: Decimal | int, from_unit: str, to_unit: str) -> Decimal:
    """The value expressed in `to_unit`, exactly. Raises UnitError: INCOMPATIBLE_UNITS (different kinds),
    INEXACT_CONVERSION (no finite decimal: 100 s in min), UNKNOWN_UNIT; TypeError for a float."""
    source, target = unit_for(from_unit), unit_for(to_unit)
    number = _exact(value)
    if source is target:
        return number
    if source.kind is not target.kind:
        raise UnitError(
            ResultErrorCode.INCOMPATIBLE_UNITS,
            _(
                "A value in “{source}” cannot be expressed in “{target}”: they measure different things."
            ).format(source=source.symbol, target=target.symbol),
        )
    converted = _finite_decimal(Fraction(number) * source.factor / target.factor)
    if converted is None:
        raise UnitError(
            ResultErrorCode.INEXACT_CONVERSION,
            _("{value} {source} has no exact decimal value in {target}; report it in {target}.").format(
                value=number, source=source.symbol, target=target.symbol
            ),
        )
    return converted


def _exact(value: Decimal | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"expected a Decimal or an int, not {type(value).__name__}")
    return Decimal(value)


def _finite_decimal(q: Fraction) -> Decimal | None:
    """The Decimal equal to q; None when q has no finite decimal expansion (a prime other than 2 or 5
    in its denominator, as 1/3)."""
    denominator, twos, fives = q.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = q * 10**places  # an integer
    return Decimal(f"{scaled.numerator}E-{places}") if places else Decimal(scaled.numerator)


def fits_model(number: Decimal) -> bool:
    """Whether a finite Decimal can be stored in a DecimalField(max_digits=14, decimal_places=4) without
    rounding: at most 10 digits before the point and 4 after it (trailing zeros do not count)."""
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):
        return False  # NaN or infinity
    if not any(digits):
        return True
    digits = list(digits)
    while digits[-1] == 0:  # 1.50000 is 1.5
        digits.pop()
        exponent += 1
    if exponent < -DECIMAL_PLACES:
        return False
    return len(digits) + exponent <= INTEGER_DIGITS


def _parse(raw: Decimal | int | str | None, field_name: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        text = normalize_text(raw).replace("\u066b", ".")  # ARABIC DECIMAL SEPARATOR
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
    else:
        number = _exact(raw)
    if not number.is_finite():
        message = (
            _("The value “{raw}” is not a number.")
            if field_name == "value"
            else _("The uncertainty “{raw}” is not a number.")
        )
        raise ResultError(ResultErrorCode.NOT_A_NUMBER, message.format(raw=raw), field=field_name)
    return number


def check_result(
    value: Decimal | int | str | None,
    uncertainty: Decimal | int | str | None,
    unit: str | None,
    requirement_unit: str,
    *,
    uncertainty_may_exceed_value: bool = False,
    requirement_low: Decimal | None = None,
) -> tuple[Decimal, Decimal | None]:
    """Check a lab's quantitative result and express it in the requirement's unit.

    Returns (value, uncertainty) converted exactly to `requirement_unit`; the uncertainty is None when the
    lab gave none (allowed by simple acceptance only: decision.verdict refuses it under guarded acceptance).
    A requirement whose lower limit is negative (`requirement_low` < 0) measures a signed deviation, so a
    negative value is then accepted even in a unit of a non-negative kind (mm, %, ...).
    Raises ResultError with `field` value / uncertainty / unit / requirement_unit and a ResultErrorCode.
    """
    try:
        target = unit_for(requirement_unit)
    except UnitError as error:
        raise ResultError(error.code, error.message, field="requirement_unit") from error
    try:
        source = unit_for(unit)
    except UnitError as error:
        raise ResultError(error.code, error.message, field="unit") from error
    if source.kind is not target.kind:
        if source.symbol == "":
            message = _("The requirement is measured in “{target}”: give the result's unit.")
        else:
            message = _("A result in “{source}” cannot be compared with a requirement in “{target}”.")
        raise ResultError(
            ResultErrorCode.INCOMPATIBLE_UNITS,
            message.format(source=source.symbol, target=target.symbol),
            field="unit",
        )

    number = _parse(value, "value")
    if number is None:
        raise ResultError(ResultErrorCode.MISSING_VALUE, _("A result needs a value."), field="value")
    u = _parse(uncertainty, "uncertainty")
    if not fits_model(number):
        raise ResultError(
            ResultErrorCode.TOO_MANY_DIGITS,
            _(
                "The value {value} cannot be stored: at most {integer} digits before the decimal point and "
                "{places} after it. Report it in a larger or smaller unit."
            ).format(value=number, integer=INTEGER_DIGITS, places=DECIMAL_PLACES),
            field="value",
        )
    if u is not None and not fits_model(u):
        raise ResultError(
            ResultErrorCode.TOO_MANY_DIGITS,
            _(
                "The uncertainty {value} cannot be stored: at most {integer} digits before the decimal point "
                "and {places} after it."
            ).format(value=u, integer=INTEGER_DIGITS, places=DECIMAL_PLACES),
            field="uncertainty",
        )

    signed = requirement_low is not None and requirement_low < 0
    kind = source.kind
    in_base = Fraction(number) * source.factor
    if kind.lower == 0 and in_base < 0 and not signed:
        raise ResultError(
            ResultErrorCode.NEGATIVE_VALUE,
            _("{value} {unit}: this quantity cannot be negative.").format(value=number, unit=source.symbol),
            field="value",
        )
    if kind.lower is not None and kind.lower < 0 and in_base < kind.lower:
        raise ResultError(
            ResultErrorCode.BELOW_MINIMUM,
            _("{value} {unit} is below the lowest possible value, {lower} {unit}.").format(
                value=number, unit=source.symbol, lower=source.lower
            ),
            field="value",
        )
    if kind.upper is not None and in_base > kind.upper:
        raise ResultError(
            ResultErrorCode.ABOVE_MAXIMUM,
            _(
                "{value} {unit} is above the largest possible value, {upper} {unit}: a part cannot "
                "exceed the whole."
            ).format(value=number, unit=source.symbol, upper=source.upper),
            field="value",
        )
    if u is not None:
        if u < 0:
            raise ResultError(
                ResultErrorCode.NEGATIVE_UNCERTAINTY,
                _("An expanded uncertainty cannot be negative."),
                field="uncertainty",
            )
        # Only on a ratio scale (a true zero, values ≥ 0) does U > value say something is wrong; for °C,
        # dB, angles or signed deviations a value near zero with a larger U is ordinary.
        if not uncertainty_may_exceed_value and kind.lower == 0 and not signed and u > number:
            raise ResultError(
                ResultErrorCode.UNCERTAINTY_EXCEEDS_VALUE,
                _(
                    "The uncertainty {uncertainty} is larger than the value {value}; the test method does "
                    "not allow that."
                ).format(uncertainty=u, value=number),
                field="uncertainty",
            )

    try:
        converted = convert(number, source.symbol, target.symbol)
        converted_u = None if u is None else convert(u, source.symbol, target.symbol)
    except UnitError as error:
        raise ResultError(error.code, error.message, field="unit") from error
    # Results are stored in the requirement's unit: 0.05 µg/kg is 0.00005 mg/kg, which the database
    # would round to 0.0001. Refuse it rather than store a value other than the one judged.
    for name, reported, result in (("value", number, converted), ("uncertainty", u, converted_u)):
        if result is not None and not fits_model(result):
            raise ResultError(
                ResultErrorCode.TOO_MANY_DIGITS,
                _(
                    "{reported} {source} is {converted} {target}, which cannot be stored: at most {integer} "
                    "digits before the decimal point and {places} after it in the requirement's unit."
                ).format(
                    reported=reported,
                    source=source.symbol,
                    converted=result,
                    target=target.symbol,
                    integer=INTEGER_DIGITS,
                    places=DECIMAL_PLACES,
                ),
                field=name,
            )
    return converted, converted_u
