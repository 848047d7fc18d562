"""The county-seat coordinates that migration core.0008 loads from core/data/county_seats.json."""

import json
from collections import defaultdict

import pytest

from hami.core.divisions import DATA_FILE as DIVISIONS_FILE
from hami.core.geo import haversine_km, read_seats
from hami.core.models import County, Province

pytestmark = pytest.mark.django_db

SEATS = read_seats()["provinces"]
DIVISIONS = json.loads(DIVISIONS_FILE.read_text(encoding="utf-8"))["provinces"]

# Iran "lies between latitudes 24° and 40° N, and longitudes 44° and 64° E" (Wikipedia, Geography of Iran);
# its southernmost town, Chabahar, is at 25.3° N. A swapped latitude/longitude lands outside this box.
LAT_RANGE, LON_RANGE = (25.0, 40.0), (44.0, 64.0)

# How far a seat may lie from its province capital. Most provinces fit in 250 km (the data's largest
# there: Davarzan–Mashhad 245 km). Five large or long provinces need more, each bound being its farthest
# seat plus a margin: Chabahar–Zahedan 468 km, Khur–Isfahan 341 km, Manujan–Kerman 323 km,
# Parsian–Bandar Abbas 321 km, Lar–Shiraz 278 km. A seat put in the wrong province, or a same-name
# village elsewhere in Iran, usually lies farther.
DEFAULT_BOUND_KM = 250
BOUND_KM = {"sistan-baluchestan": 500, "isfahan": 360, "kerman": 350, "hormozgan": 350, "fars": 300}


def counties_by_key() -> dict[tuple[str, str], County]:
    return {(c.province.code, c.code): c for c in County.objects.select_related("province")}


def test_the_file_covers_exactly_the_counties_of_provinces_json():
    in_divisions = {(p["code"], c["code"]) for p in DIVISIONS for c in p["counties"]}
    in_seats = {(p, c) for p, province in SEATS.items() for c in province["counties"]}
    assert in_seats == in_divisions
    assert len(in_seats) == 480


def test_every_entry_cites_a_source_and_every_approximate_one_says_why():
    for province in SEATS.values():
        for seat in province["counties"].values():
            assert seat["seat_fa"] and seat["seat_en"]
            assert seat["source"].split(":", 1)[0] in {"geonames", "typhoon-iran-cities", "wikipedia"}
            if seat.get("approximate"):
                assert len(seat["reason"]) > 20
    approximate = [s for p in SEATS.values() for s in p["counties"].values() if s.get("approximate")]
    assert len(approximate) <= 10  # under 2 %: the file says which ones and why


def test_every_county_has_coordinates_inside_iran():
    counties = counties_by_key()
    assert len(counties) == 480
    for key, county in counties.items():
        assert county.location is not None, key
        lat, lon = county.location
        assert LAT_RANGE[0] <= lat <= LAT_RANGE[1], key
        assert LON_RANGE[0] <= lon <= LON_RANGE[1], key


def test_the_migration_loaded_the_file_values():
    for (province, code), county in counties_by_key().items():
        seat = SEATS[province]["counties"][code]
        assert county.location == (seat["lat"], seat["lon"]), (province, code)


def test_a_province_stands_at_the_seat_of_its_capital_county():
    counties = counties_by_key()
    for province in Province.objects.all():
        capital = counties[(province.code, SEATS[province.code]["capital"])]
        assert province.location == capital.location, province.code
    assert Province.objects.get(code="qazvin").location == pytest.approx((36.2688, 50.0041))


def test_every_seat_lies_within_reach_of_its_province_capital():
    provinces = {p.code: p.location for p in Province.objects.all()}
    for (province, code), county in counties_by_key().items():
        bound = BOUND_KM.get(province, DEFAULT_BOUND_KM)
        assert haversine_km(county.location, provinces[province]) <= bound, (province, code)


def test_no_two_counties_share_a_point_unless_marked_approximate():
    by_point = defaultdict(list)
    for (province, code), county in counties_by_key().items():
        if not SEATS[province]["counties"][code].get("approximate"):
            by_point[county.location].append(f"{province}/{code}")
    shared = {point: keys for point, keys in by_point.items() if len(keys) > 1}
    assert shared == {}


def test_straight_line_distances_between_county_seats():
    counties = counties_by_key()
    tehran = counties[("tehran", "tehran")].location
    assert haversine_km(tehran, counties[("qazvin", "qazvin")].location) == pytest.approx(142.6, abs=1)
    mashhad = counties[("khorasan-razavi", "mashhad")].location
    assert haversine_km(tehran, mashhad) == pytest.approx(739.1, abs=1)
    # Hashtgerd, the seat of Savojbolagh, not a point called Savojbolagh.
    assert counties[("alborz", "savojbolagh")].location == pytest.approx((35.962, 50.6799))


def test_location_is_none_until_both_coordinates_are_known():
    county = County(name_fa="آزمایشی", code="test", latitude=None, longitude=50)
    assert county.location is None
    county.latitude = 36
    assert county.location == (36.0, 50.0)
