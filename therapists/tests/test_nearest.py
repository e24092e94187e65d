"""Nearest-first ranking checked against a brute-force oracle on generated data.

The oracle reads every row and ranks in Python with the same arithmetic as the
database (squared chords between the stored Earth-centred coordinates, then
therapist id), so the search must return exactly its order: in dense and sparse
places, across the antimeridian, near the North Pole, with exact ties, at the
radius edge and with location-level and therapist-level filters.
"""

import math
import random
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.http import QueryDict

from therapists import geo, search
from therapists.models import (
    Clinic,
    Discipline,
    Fee,
    Language,
    Location,
    NewPatients,
    Payer,
    Tag,
    Therapist,
    fee_applies,
)

pytestmark = pytest.mark.django_db

WINNIPEG = geo.Point(49.8844, -97.14704)
# (centre, spread in degrees, locations): a city, a town straddling the
# antimeridian and a settlement by the North Pole.
CLUSTERS = [
    (WINNIPEG, 0.25, 260),
    (geo.Point(65.0, 180.0), 0.8, 90),
    (geo.Point(89.6, 0.0), 0.3, 60),
]


def generate(seed: int = 7) -> None:
    """Clinics, locations and therapists, about a tenth sharing an exact address
    and most locations shared by several therapists (exact distance ties)."""
    rng = random.Random(seed)
    disciplines = list(Discipline.objects.order_by("pk"))
    languages = list(Language.objects.order_by("pk"))
    clinics = Clinic.objects.bulk_create(Clinic(name=f"Clinic {n}", slug=f"clinic-{n}") for n in range(40))
    payers = list(Payer.objects.order_by("pk"))
    for clinic in clinics:
        if rng.random() < 0.6:  # bills insurers directly, or accepts programmes, or both
            clinic.payers.set(rng.sample(payers, rng.randint(1, 4)))
    Fee.objects.bulk_create(
        Fee(clinic=clinic, kind=kind, minutes=60, price=Decimal(rng.randrange(70, 160)))
        for clinic in clinics
        for kind in ("massage", "assessment", "adjustment")
        if rng.random() < 0.5
    )
    points: list[tuple[float, float]] = []
    for centre, spread, count in CLUSTERS:
        for _ in range(count):
            if points and rng.random() < 0.1:
                points.append(rng.choice(points))  # the same address as another location
                continue
            latitude = min(90.0, max(-90.0, rng.gauss(centre.latitude, spread / 3)))
            longitude = rng.gauss(centre.longitude, spread)
            longitude = (longitude + 180) % 360 - 180  # wrap across the antimeridian
            points.append((round(latitude, 6), round(longitude, 6)))
    locations = Location.objects.bulk_create(
        Location(
            clinic=rng.choice(clinics),
            name=f"Location {n}",
            street=f"{n} Main Street",
            city="Somewhere",
            province="MB",
            postal_code="R3C 4T3",
            latitude=latitude,
            longitude=longitude,
            wheelchair_accessible=rng.random() < 0.5,
        )
        for n, (latitude, longitude) in enumerate(points)
    )
    therapists = Therapist.objects.bulk_create(
        Therapist(
            first_name="Pat",
            last_name=f"Tester{n:04d}",
            slug=f"pat-tester-{n}",
            discipline=rng.choice(disciplines),
            new_patients=rng.choice(NewPatients.values),
            gender=rng.choice(["woman", "man", "non-binary", ""]),
            offers_virtual_care=rng.random() < 0.3,
            is_published=rng.random() < 0.9,
        )
        for n in range(len(locations) * 2)
    )
    # Clinics declare a tag or two for about a third of their therapists.
    tags = list(Tag.objects.order_by("pk"))
    tagged = Therapist.tags.through
    tagged.objects.bulk_create(
        tagged(therapist_id=therapist.pk, tag_id=tag.pk)
        for therapist in therapists
        if rng.random() < 0.35
        for tag in rng.sample(tags, rng.randint(1, 2))
    )
    works_at, speaks = Therapist.locations.through, Therapist.languages.through
    pairs = set()
    for n, therapist in enumerate(therapists):
        pairs.add((therapist.pk, locations[n % len(locations)].pk))
        if rng.random() < 0.2:  # a second location, possibly far away
            pairs.add((therapist.pk, rng.choice(locations).pk))
    works_at.objects.bulk_create(works_at(therapist_id=t, location_id=loc) for t, loc in sorted(pairs))
    speaks.objects.bulk_create(
        speaks(therapist_id=therapist.pk, language_id=language.pk)
        for therapist in therapists
        for language in rng.sample(languages, rng.randint(1, 2))
    )
    # A few therapists charge their own price at one of their clinics.
    Fee.objects.bulk_create(
        Fee(
            clinic=locations[n % len(locations)].clinic,
            therapist=therapist,
            kind="massage",
            minutes=60,
            price=Decimal(rng.randrange(70, 160)),
        )
        for n, therapist in enumerate(therapists)
        if rng.random() < 0.1
    )


@dataclass
class Case:
    query: str
    therapist_ok: object = lambda therapist: True
    location_ok: object = lambda location: True
    pair_ok: object = lambda therapist, location: True  # e.g. the therapist works there evenings


CASES = [
    Case(""),
    Case("discipline=massage", therapist_ok=lambda t: t.discipline.slug == "massage"),
    Case("accessible=1", location_ok=lambda loc: loc.wheelchair_accessible),
    Case(
        "language=fr&new_patients=1",
        therapist_ok=lambda t: t.accepting_new_patients and "fr" in t.language_codes,
    ),
    Case(
        "direct_billing=1&virtual=1",
        therapist_ok=lambda t: t.offers_virtual_care,
        location_ok=lambda loc: loc.clinic.direct_billing,
    ),
    Case("insurer=manulife", location_ok=lambda loc: "manulife" in loc.clinic.payer_slugs),
    Case(
        "insurer=manulife&insurer=wsib&gender=woman&max_price=120",
        therapist_ok=lambda t: t.gender == "woman" and t.cheapest <= 120,
        location_ok=lambda loc: {"manulife", "wsib"} & loc.clinic.payer_slugs,
    ),
    Case(
        "gender=man&gender=non-binary&new_patients=1&direct_billing=1",
        therapist_ok=lambda t: t.gender in ("man", "non-binary") and t.accepting_new_patients,
        location_ok=lambda loc: loc.clinic.direct_billing,
    ),
    Case("max_price=90", therapist_ok=lambda t: t.cheapest <= 90),
    Case("tag=trauma-informed", therapist_ok=lambda t: "trauma-informed" in t.tag_slugs),
    Case(
        "tag=lgbtq2s-affirming&tag=paediatric&insurer=manulife&gender=woman&max_price=120",
        therapist_ok=lambda t: (
            {"lgbtq2s-affirming", "paediatric"} & t.tag_slugs and t.gender == "woman" and t.cheapest <= 120
        ),
        location_ok=lambda loc: "manulife" in loc.clinic.payer_slugs,
    ),
]

ORIGINS = [
    WINNIPEG,
    geo.Point(49.95, -97.3),
    geo.Point(65.0, 179.95),
    geo.Point(65.2, -179.9),
    geo.Point(89.9, 45.0),
    geo.Point(90.0, 0.0),
]


def oracle(origin: geo.Point, case: Case) -> list[tuple[float, int]]:
    """(squared chord, therapist id) of every matching therapist, nearest first, from every row."""
    x0, y0, z0 = geo.ecef_km(origin)
    therapists = Therapist.objects.findable().select_related("discipline").in_bulk()
    for therapist in therapists.values():
        therapist.language_codes = set()
        therapist.tag_slugs = set()
    for pk, slug in Therapist.tags.through.objects.values_list("therapist_id", "tag__slug"):
        if pk in therapists:
            therapists[pk].tag_slugs.add(slug)
    for pk, code in Therapist.languages.through.objects.values_list("therapist_id", "language__code"):
        if pk in therapists:
            therapists[pk].language_codes.add(code)
    locations = Location.objects.select_related("clinic").prefetch_related("clinic__payers").in_bulk()
    for location in locations.values():
        location.clinic.payer_slugs = {payer.slug for payer in location.clinic.payers.all()}
    # The cheapest fee each therapist charges: their own, or the clinic-wide one of a clinic they practise at.
    for therapist in therapists.values():
        therapist.cheapest = math.inf
    clinic_fees: dict[int, list[Fee]] = {}
    for fee in Fee.objects.all():
        if fee.therapist_id is None:
            clinic_fees.setdefault(fee.clinic_id, []).append(fee)
        elif fee.therapist_id in therapists:
            therapists[fee.therapist_id].cheapest = min(therapists[fee.therapist_id].cheapest, fee.price)
    for pk, location_id in Therapist.locations.through.objects.values_list("therapist_id", "location_id"):
        if pk in therapists:
            discipline = therapists[pk].discipline.slug
            prices = [
                fee.price
                for fee in clinic_fees.get(locations[location_id].clinic_id, [])
                if fee_applies(fee.kind, discipline)
            ]
            therapists[pk].cheapest = min([therapists[pk].cheapest, *prices])
    nearest: dict[int, float] = {}
    for pk, location_id in Therapist.locations.through.objects.values_list("therapist_id", "location_id"):
        therapist, location = therapists.get(pk), locations[location_id]
        if therapist is None or not case.therapist_ok(therapist) or not case.location_ok(location):
            continue
        if not case.pair_ok(therapist, location):
            continue
        dx, dy, dz = location.ecef_x - x0, location.ecef_y - y0, location.ecef_z - z0
        chord_sq = dx * dx + dy * dy + dz * dz  # the database's arithmetic, in its order
        nearest[pk] = min(chord_sq, nearest.get(pk, chord_sq))
    return sorted((chord_sq, pk) for pk, chord_sq in nearest.items())


def within(ranked, radius_km: float) -> list[int]:
    limit = geo.chord_for_distance_km(radius_km) ** 2
    return [pk for chord_sq, pk in ranked if chord_sq <= limit]


@pytest.fixture
def generated(db):
    generate()


@pytest.mark.parametrize("origin", ORIGINS, ids=str)
def test_search_pages_equal_a_brute_force_ranking_of_every_row(generated, origin):
    for case in CASES:
        ranked = oracle(origin, case)
        for radius in (1, 25, 500):
            expected = within(ranked, radius)
            for page in (1, 3):
                params = f"lat={origin.latitude}&lng={origin.longitude}&radius={radius}&{case.query}"
                results = search.find_therapists(QueryDict(params), str(page))
                shown = [result.therapist.pk for result in results.within]
                start = (page - 1) * search.PER_PAGE
                if start >= len(expected) and page > 1:
                    continue  # past the end: the last page is shown instead
                assert shown == expected[start : start + search.PER_PAGE], (case.query, radius, page)
                counted_up_to = page * search.PER_PAGE
                assert results.count == min(len(expected), counted_up_to), (case.query, radius)
                assert results.count_is_capped == (len(expected) > counted_up_to), (case.query, radius)
                if len(expected) < search.PER_PAGE:
                    # Topped up with the nearest beyond the radius, but only those within reach.
                    topped_up = within(ranked, max(radius, search.REACH_KM))[: search.PER_PAGE]
                    assert [r.therapist.pk for r in results.results] == topped_up, (case.query, radius)


@pytest.mark.parametrize("start_km", [0.001, 1, 60, 500])
def test_nearest_equals_the_oracle_however_small_or_large_the_first_circle(generated, start_km):
    case = CASES[0]
    for origin in ORIGINS:
        ranked = oracle(origin, case)
        for count in (1, 7, 21, 101):
            for within_km in (3, 40, 500):
                expected = [
                    (pk, chord_sq)
                    for chord_sq, pk in ranked
                    if chord_sq <= geo.chord_for_distance_km(within_km) ** 2
                ][:count]
                got = Therapist.objects.published().nearest(origin, count, within_km, start_km=start_km)
                assert [(row.therapist_id, row.chord_sq) for row in got] == expected


def test_exact_ties_are_broken_by_therapist_id(generated):
    shared = Location.objects.filter(therapists__is_published=True).order_by("pk").first()
    # Everyone at this address, including at another location with the same coordinates.
    colleagues = list(
        Therapist.objects.published()
        .filter(locations__latitude=shared.latitude, locations__longitude=shared.longitude)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    origin = shared.point

    rows = Therapist.objects.published().nearest(origin, len(colleagues), 0.001)

    assert len(colleagues) >= 2
    assert [row.therapist_id for row in rows][: len(colleagues)] == colleagues
