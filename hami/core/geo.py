"""Great-circle distances, and the coordinates of county seats from core/data/county_seats.json.

Hami prices a test by the distance between a lab and a production unit, both located by county; a
county stands at its seat (the county's capital city), a province at its capital. Straight-line
(great-circle) kilometres are what the data can give: road distances need a road network.
"""

import json
import math
from decimal import Decimal
from pathlib import Path

SEATS_FILE = Path(__file__).resolve().parent / "data" / "county_seats.json"

# The mean radius R1 = (2a + b) / 3 of the GRS 80 ellipsoid: 6,371,008.7714 m (H. Moritz, "Geodetic
# Reference System 1980", Journal of Geodesy 74 (2000) 128-133, table of derived constants; the
# IUGG's recommended mean Earth radius). Against the ellipsoid a sphere errs by at most about 0.5 %.
EARTH_MEAN_RADIUS_KM = 6371.0088

Point = tuple[float, float]  # (latitude, longitude) in decimal degrees


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance in km between two (latitude, longitude) points, on a spherical Earth.

    The haversine form (R. W. Sinnott, "Virtues of the Haversine", Sky & Telescope 68 (1984) 159)
    stays accurate for short distances, where the spherical law of cosines loses digits.
    """
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def read_seats() -> dict:
    """county_seats.json: {"source": ..., "provinces": {code: {"capital": county, "counties": {...}}}}."""
    return json.loads(SEATS_FILE.read_text(encoding="utf-8"))


def load_seat_coordinates(province_model, county_model) -> int:
    """Write county_seats.json onto the counties and provinces; return how many counties got coordinates.

    Takes the model classes so that a data migration can pass its historical models (as
    core.divisions.load_divisions does). Counties absent from the file are left as they are.
    """
    data = read_seats()["provinces"]
    provinces = list(province_model.objects.filter(code__in=data))
    counties = []
    for county in county_model.objects.filter(province__in=provinces).select_related("province"):
        seat = data[county.province.code]["counties"].get(county.code)
        if seat is not None:
            county.latitude, county.longitude = _degrees(seat["lat"]), _degrees(seat["lon"])
            counties.append(county)
    for province in provinces:
        capital = data[province.code]["counties"][data[province.code]["capital"]]
        province.latitude, province.longitude = _degrees(capital["lat"]), _degrees(capital["lon"])
    # Two UPDATE ... CASE statements instead of one UPDATE per row: the migration stays fast.
    county_model.objects.bulk_update(counties, ["latitude", "longitude"], batch_size=500)
    province_model.objects.bulk_update(provinces, ["latitude", "longitude"])
    return len(counties)


def _degrees(value: float) -> Decimal:
    """A JSON float as the 4-decimal Decimal the fields store (via str: no binary-float digits)."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))
