import math

import pytest

from hami.core.geo import EARTH_MEAN_RADIUS_KM, haversine_km

# City centres from GeoNames (geonameids 112931, 119505, 124665), as in core/data/county_seats.json.
TEHRAN = (35.69439, 51.42151)
QAZVIN = (36.26877, 50.0041)
MASHHAD = (36.29807, 59.60567)


def dms(degrees: int, minutes: int, seconds: int = 0) -> float:
    return degrees + minutes / 60 + seconds / 3600


def test_aviation_formulary_worked_example_lax_to_jfk():
    # Ed Williams, Aviation Formulary V1.47, "Distance between points": LAX (33°57'N 118°24'W) to JFK
    # (40°38'N 73°47'W) is 0.623585 rad (2144 nm) on the sphere.
    lax = (dms(33, 57), -dms(118, 24))
    jfk = (dms(40, 38), -dms(73, 47))
    assert haversine_km(lax, jfk) == pytest.approx(0.623585 * EARTH_MEAN_RADIUS_KM, abs=0.05)


def test_mehrabad_to_zahedan_airport_matches_published_haversine():
    # airmilescalculator.com/distance/thr-to-zah: THR 35°41′21″N 51°18′48″E, ZAH 29°28′32″N 60°54′22″E,
    # haversine 1,132.643 km (Vincenty on the ellipsoid: 1,133.006 km).
    thr = (dms(35, 41, 21), dms(51, 18, 48))
    zah = (dms(29, 28, 32), dms(60, 54, 22))
    assert haversine_km(thr, zah) == pytest.approx(1132.643, abs=0.5)


def test_tehran_qazvin_and_tehran_mashhad_in_a_straight_line():
    # About 140 km and 740 km; airmilescalculator.com gives 751.7 km (haversine) between the two cities'
    # airports (Mehrabad, Mashhad International), which lie some 10 km west and south-east of the centres.
    assert haversine_km(TEHRAN, QAZVIN) == pytest.approx(142.6, abs=1)
    assert haversine_km(TEHRAN, MASHHAD) == pytest.approx(739.1, abs=1)


def test_distance_is_symmetric_and_zero_from_a_point_to_itself():
    assert haversine_km(TEHRAN, MASHHAD) == haversine_km(MASHHAD, TEHRAN)
    assert haversine_km(QAZVIN, QAZVIN) == 0.0


def test_a_quarter_meridian_and_antipodes():
    assert haversine_km((0.0, 0.0), (90.0, 0.0)) == pytest.approx(math.pi / 2 * EARTH_MEAN_RADIUS_KM)
    # Rounding can push the haversine a hair above 1 at the antipode; the distance must stay half a circle.
    assert haversine_km((35.0, 51.0), (-35.0, -129.0)) == pytest.approx(math.pi * EARTH_MEAN_RADIUS_KM)


def test_one_degree_of_longitude_shrinks_with_latitude():
    at_equator = haversine_km((0.0, 50.0), (0.0, 51.0))
    at_tehran = haversine_km((35.7, 50.0), (35.7, 51.0))
    assert at_equator == pytest.approx(111.195, abs=0.01)
    assert at_tehran == pytest.approx(at_equator * math.cos(math.radians(35.7)), rel=1e-4)
