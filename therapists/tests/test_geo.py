"""Pure geometry: no database here."""

import math

import pytest
from geopy.distance import geodesic

from therapists import geo

WINNIPEG = geo.Point(49.8844, -97.14704)
TORONTO = geo.Point(43.70011, -79.4163)
# Pairs in every direction and at several ranges, from 1 km to 500 km and beyond.
FAR_AND_NEAR = [
    (WINNIPEG, geo.Point(49.8944, -97.14704)),
    (WINNIPEG, geo.Point(49.8844, -97.0)),
    (WINNIPEG, geo.Point(50.1, -96.8)),
    (WINNIPEG, geo.Point(49.0, -97.5)),
    (WINNIPEG, geo.Point(52.0, -99.0)),
    (TORONTO, geo.Point(45.4215, -75.6972)),
    (geo.Point(82.5, -62.3), geo.Point(83.0, -70.0)),
    (geo.Point(0.1, 179.9), geo.Point(-0.1, -179.9)),
]


def test_ecef_coordinates_put_a_point_on_the_ellipsoid():
    x, y, z = geo.ecef_km(geo.Point(0, 0))
    assert (x, y, z) == pytest.approx((geo.WGS84_A_KM, 0, 0))
    x, y, z = geo.ecef_km(geo.Point(90, 0))
    assert z == pytest.approx(6356.752, abs=0.001)  # the polar radius


@pytest.mark.parametrize(("a", "b"), FAR_AND_NEAR)
def test_the_chord_is_within_a_fraction_of_the_geodesic_distance(a, b):
    along_surface = geodesic(a, b).km
    through_earth = geo.chord_km(a, b)
    assert through_earth <= along_surface
    # The chord is shorter by about d³/24R²: under 0.13 km at 500 km.
    assert along_surface - through_earth <= along_surface**3 / (24 * 6356**2) + 1e-6


def test_the_chord_ranks_points_in_geodesic_order_even_when_they_are_almost_tied():
    # Points 10 km from Winnipeg in 72 directions, each a metre or two further than
    # the one before: the ellipsoid makes north-south and east-west degrees differ,
    # and the chord must still rank them as the geodesic does.
    points = []
    for step in range(72):
        distance = 10 + step * 0.002
        destination = geodesic(kilometers=distance).destination(WINNIPEG, bearing=step * 5)
        points.append(geo.Point(destination.latitude, destination.longitude))
    by_chord = sorted(points, key=lambda p: geo.chord_km(WINNIPEG, p))
    assert by_chord == points


def test_a_radius_becomes_the_chord_of_the_same_arc():
    assert geo.chord_for_distance_km(25) == pytest.approx(25, abs=0.001)
    assert geo.chord_for_distance_km(500) == pytest.approx(499.87, abs=0.01)
    assert geo.chord_for_distance_km(50_000) == pytest.approx(2 * geo.EARTH_RADIUS_KM)


@pytest.mark.parametrize("radius_km", [1, 25, 500])
@pytest.mark.parametrize("origin", [WINNIPEG, TORONTO, geo.Point(69.1, -105.1), geo.Point(-45, 170)])
def test_the_bounding_box_holds_every_point_within_the_radius(origin, radius_km):
    box = geo.bounding_box(origin, radius_km)
    for bearing in range(0, 360, 10):
        edge = geodesic(kilometers=radius_km * 0.999).destination(origin, bearing=bearing)
        assert geo.box_contains(box, geo.Point(edge.latitude, edge.longitude)), bearing


def test_the_bounding_box_leaves_out_points_well_beyond_the_radius():
    box = geo.bounding_box(WINNIPEG, 25)
    assert not geo.box_contains(box, geo.Point(49.8844, -96.0))  # 80 km east
    assert not geo.box_contains(box, geo.Point(50.5, -97.14704))  # 68 km north


def test_the_bounding_box_splits_at_the_antimeridian():
    box = geo.bounding_box(geo.Point(-17.7, 179.9), 50)
    assert len(box.longitudes) == 2
    assert geo.box_contains(box, geo.Point(-17.7, -179.9))
    assert geo.box_contains(box, geo.Point(-17.7, 179.5))
    assert not geo.box_contains(box, geo.Point(-17.7, 0))


def test_the_bounding_box_near_a_pole_covers_every_longitude():
    box = geo.bounding_box(geo.Point(89.9, 10), 100)
    assert box.north == 90
    assert box.longitudes == ((-180.0, 180.0),)
    assert geo.box_contains(box, geo.Point(89.5, -170))


def test_distances_are_finite_for_antipodes():
    assert math.isfinite(geo.chord_km(geo.Point(0, 0), geo.Point(0, 180)))
