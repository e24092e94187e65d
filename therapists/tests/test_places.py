"""Places as people type them, resolved on the real gazetteer.

Each row: what was typed, the province it must resolve in, the true centre of the place
meant (degrees, from public maps) and how far (km) the resolved centre may be from it:
10 km for a city or town (GeoNames puts a city's point at its centre, and a city spans
some km), 15 km for amalgamated cities, 8 km for a borough, 5 km for a neighbourhood and
4 km for a postal code (the centroid of its area).
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from therapists import geo
from therapists.gazetteer import label, resolve, starting_with
from therapists.tests.factories import make_location, make_therapist

CITY, AMALGAMATED, BOROUGH, NEIGHBOURHOOD, POSTAL = 10, 15, 8, 5, 4

PLACES = [
    # Cities and towns, with and without their province
    ("Winnipeg", "MB", (49.895, -97.138), CITY),
    ("winnipeg, mb", "MB", (49.895, -97.138), CITY),
    ("WINNIPEG MANITOBA", "MB", (49.895, -97.138), CITY),
    ("Winnipeg, Canada", "MB", (49.895, -97.138), CITY),
    ("Toronto", "ON", (43.653, -79.384), CITY),
    ("Toronto, Ontario", "ON", (43.653, -79.384), CITY),
    ("Montreal", "QC", (45.502, -73.567), CITY),
    ("Montréal, QC", "QC", (45.502, -73.567), CITY),
    ("Vancouver", "BC", (49.283, -123.121), CITY),
    ("Calgary", "AB", (51.045, -114.072), CITY),
    ("Edmonton", "AB", (53.546, -113.494), CITY),
    ("Ottawa", "ON", (45.421, -75.697), CITY),
    ("Halifax", "NS", (44.649, -63.575), CITY),
    ("Regina", "SK", (50.445, -104.619), CITY),
    ("Saskatoon", "SK", (52.133, -106.670), CITY),
    ("Victoria, BC", "BC", (48.428, -123.365), CITY),
    ("Fredericton", "NB", (45.964, -66.643), CITY),
    ("Moncton", "NB", (46.088, -64.778), CITY),
    ("Charlottetown", "PE", (46.238, -63.131), CITY),
    ("Whitehorse", "YT", (60.721, -135.057), CITY),
    ("Yellowknife", "NT", (62.454, -114.372), CITY),
    ("Iqaluit", "NU", (63.749, -68.520), CITY),
    ("Thunder Bay", "ON", (48.380, -89.247), CITY),
    ("Hamilton, ON", "ON", (43.256, -79.869), CITY),
    ("London ON", "ON", (42.984, -81.246), CITY),
    ("London, Ontario", "ON", (42.984, -81.246), CITY),
    ("Kitchener", "ON", (43.452, -80.492), CITY),
    ("Waterloo, ON", "ON", (43.465, -80.522), CITY),
    ("Mississauga", "ON", (43.589, -79.644), CITY),
    ("Brampton", "ON", (43.731, -79.762), CITY),
    ("Markham", "ON", (43.856, -79.337), CITY),
    ("Windsor, ON", "ON", (42.317, -83.036), CITY),
    ("Kingston", "ON", (44.231, -76.486), CITY),
    ("Barrie", "ON", (44.389, -79.690), CITY),
    ("Peterborough", "ON", (44.300, -78.320), CITY),
    ("Oshawa", "ON", (43.897, -78.866), CITY),
    ("Guelph", "ON", (43.545, -80.248), CITY),
    ("North Bay", "ON", (46.309, -79.461), CITY),
    ("Timmins", "ON", (48.477, -81.330), CITY),
    ("Belleville", "ON", (44.162, -77.383), CITY),
    ("Cornwall, ON", "ON", (45.018, -74.728), CITY),
    ("Niagara Falls, ON", "ON", (43.090, -79.085), CITY),
    ("Gatineau", "QC", (45.477, -75.701), CITY),
    ("Laval", "QC", (45.570, -73.692), CITY),
    ("Longueuil", "QC", (45.531, -73.518), CITY),
    ("Sherbrooke", "QC", (45.404, -71.893), CITY),
    ("Drummondville", "QC", (45.883, -72.484), CITY),
    ("Granby", "QC", (45.400, -72.733), CITY),
    ("Repentigny", "QC", (45.742, -73.450), CITY),
    ("Brossard", "QC", (45.459, -73.465), CITY),
    ("Terrebonne", "QC", (45.700, -73.647), CITY),
    ("Rimouski", "QC", (48.449, -68.524), CITY),
    ("Rouyn-Noranda", "QC", (48.236, -79.023), CITY),
    ("Baie-Comeau", "QC", (49.221, -68.150), CITY),
    ("Chicoutimi", "QC", (48.428, -71.057), CITY),
    ("Jonquière", "QC", (48.416, -71.249), CITY),
    ("Kelowna", "BC", (49.888, -119.496), CITY),
    ("Kamloops", "BC", (50.674, -120.327), CITY),
    ("Nanaimo", "BC", (49.166, -123.940), CITY),
    ("Prince George", "BC", (53.917, -122.749), CITY),
    ("Prince Rupert", "BC", (54.315, -130.320), CITY),
    ("Surrey, BC", "BC", (49.191, -122.849), CITY),
    ("Burnaby", "BC", (49.249, -122.980), CITY),
    ("Richmond, BC", "BC", (49.166, -123.134), CITY),
    ("North Vancouver", "BC", (49.320, -123.072), CITY),
    ("Red Deer", "AB", (52.269, -113.811), CITY),
    ("Lethbridge", "AB", (49.694, -112.833), CITY),
    ("Medicine Hat", "AB", (50.041, -110.677), CITY),
    ("Brandon", "MB", (49.848, -99.950), CITY),
    ("Steinbach", "MB", (49.526, -96.684), CITY),
    ("Thompson, MB", "MB", (55.743, -97.855), CITY),
    ("Prince Albert", "SK", (53.203, -105.753), CITY),
    ("Moose Jaw", "SK", (50.393, -105.551), CITY),
    ("Sydney, NS", "NS", (46.136, -60.194), CITY),
    ("Dartmouth", "NS", (44.671, -63.577), CITY),
    ("Truro", "NS", (45.366, -63.280), CITY),
    ("Summerside", "PE", (46.395, -63.788), CITY),
    ("Corner Brook", "NL", (48.951, -57.953), CITY),
    ("Gander", "NL", (48.954, -54.610), CITY),
    ("Bathurst, NB", "NB", (47.619, -65.651), CITY),
    ("Edmundston", "NB", (47.373, -68.325), CITY),
    ("Dieppe", "NB", (46.098, -64.724), CITY),
    ("Hay River", "NT", (60.816, -115.786), CITY),
    ("Kingston, NS", "NS", (44.993, -64.950), CITY),
    # Other names: English and French forms, the names locals use
    ("Quebec", "QC", (46.813, -71.208), CITY),
    ("Québec", "QC", (46.813, -71.208), CITY),
    ("Quebec City", "QC", (46.813, -71.208), CITY),
    ("Québec City", "QC", (46.813, -71.208), CITY),
    ("quebec city, qc", "QC", (46.813, -71.208), CITY),
    ("Ville de Québec", "QC", (46.813, -71.208), CITY),
    ("Ville de Quebec", "QC", (46.813, -71.208), CITY),
    ("Sudbury", "ON", (46.490, -80.990), AMALGAMATED),
    ("Sudbury, ON", "ON", (46.490, -80.990), AMALGAMATED),
    ("Greater Sudbury", "ON", (46.490, -80.990), AMALGAMATED),
    ("Grand Sudbury", "ON", (46.490, -80.990), AMALGAMATED),
    ("the Soo", "ON", (46.522, -84.346), CITY),
    ("Saguenay", "QC", (48.428, -71.068), AMALGAMATED),
    ("Trois-Rivières", "QC", (46.350, -72.549), CITY),
    ("Trois Rivieres", "QC", (46.350, -72.549), CITY),
    ("Lévis", "QC", (46.803, -71.178), CITY),
    ("Levis", "QC", (46.803, -71.178), CITY),
    # Abbreviations: St/Ste/Saint/Sainte, Mt/Mount, Ft/Fort, with or without dot or hyphen
    ("St. John's", "NL", (47.561, -52.713), CITY),
    ("St Johns", "NL", (47.561, -52.713), CITY),
    ("Saint John's, NL", "NL", (47.561, -52.713), CITY),
    ("Saint John", "NB", (45.273, -66.063), CITY),
    ("St. John, NB", "NB", (45.273, -66.063), CITY),
    ("Sault Ste. Marie", "ON", (46.522, -84.346), CITY),
    ("Sault Ste Marie", "ON", (46.522, -84.346), CITY),
    ("Sault Sainte Marie", "ON", (46.522, -84.346), CITY),
    ("Sault-Sainte-Marie", "ON", (46.522, -84.346), CITY),
    ("Saint-Jérôme", "QC", (45.780, -74.004), CITY),
    ("St-Jérôme", "QC", (45.780, -74.004), CITY),
    ("St. Jerome", "QC", (45.780, -74.004), CITY),
    ("Saint-Hyacinthe", "QC", (45.631, -72.957), CITY),
    ("St-Hyacinthe", "QC", (45.631, -72.957), CITY),
    ("Sainte-Foy", "QC", (46.776, -71.285), BOROUGH),
    ("Ste-Foy", "QC", (46.776, -71.285), BOROUGH),
    ("Ste. Foy", "QC", (46.776, -71.285), BOROUGH),
    ("St. Catharines", "ON", (43.159, -79.247), CITY),
    ("St Catharines", "ON", (43.159, -79.247), CITY),
    ("Mount Pearl", "NL", (47.518, -52.806), CITY),
    ("Mt. Pearl", "NL", (47.518, -52.806), CITY),
    ("Mt Pearl", "NL", (47.518, -52.806), CITY),
    ("Fort McMurray", "AB", (56.726, -111.381), CITY),
    ("Ft. McMurray", "AB", (56.726, -111.381), CITY),
    ("Ft McMurray", "AB", (56.726, -111.381), CITY),
    ("Fort St. John", "BC", (56.252, -120.847), CITY),
    ("Ft St John", "BC", (56.252, -120.847), CITY),
    ("Val-d'Or", "QC", (48.097, -77.783), CITY),
    ("Val d'Or", "QC", (48.097, -77.783), CITY),
    ("Sept-Îles", "QC", (50.212, -66.376), CITY),
    ("Sept-Iles", "QC", (50.212, -66.376), CITY),
    # Boroughs and former municipalities
    ("Scarborough", "ON", (43.773, -79.258), BOROUGH),
    ("Scarborough, ON", "ON", (43.773, -79.258), BOROUGH),
    ("Scarborough, Toronto", "ON", (43.773, -79.258), BOROUGH),
    ("North York", "ON", (43.762, -79.411), BOROUGH),
    ("North York, ON", "ON", (43.762, -79.411), BOROUGH),
    ("Etobicoke", "ON", (43.654, -79.567), BOROUGH),
    ("East York", "ON", (43.691, -79.328), BOROUGH),
    ("York, Toronto", "ON", (43.690, -79.479), BOROUGH),
    ("Kanata", "ON", (45.309, -75.899), BOROUGH),
    ("Orléans", "ON", (45.469, -75.516), BOROUGH),
    ("Orleans, ON", "ON", (45.469, -75.516), BOROUGH),
    ("Orleans Ottawa", "ON", (45.469, -75.516), BOROUGH),
    ("Kanata, Ottawa", "ON", (45.309, -75.899), BOROUGH),
    ("Nepean", "ON", (45.335, -75.724), BOROUGH),
    ("Stittsville", "ON", (45.259, -75.922), BOROUGH),
    ("Le Plateau-Mont-Royal", "QC", (45.522, -73.581), BOROUGH),
    ("Plateau Mont-Royal", "QC", (45.522, -73.581), BOROUGH),
    ("the Plateau", "QC", (45.522, -73.581), BOROUGH),
    ("Ahuntsic-Cartierville", "QC", (45.541, -73.680), BOROUGH),
    ("Côte-des-Neiges–Notre-Dame-de-Grâce", "QC", (45.485, -73.620), BOROUGH),
    ("NDG", "QC", (45.473, -73.612), BOROUGH),
    ("Verdun", "QC", (45.455, -73.572), BOROUGH),
    ("Lachine", "QC", (45.441, -73.689), BOROUGH),
    ("LaSalle, QC", "QC", (45.432, -73.629), BOROUGH),
    ("Saint-Laurent, QC", "QC", (45.500, -73.666), BOROUGH),
    ("Saint-Léonard", "QC", (45.587, -73.597), BOROUGH),
    ("St-Leonard, QC", "QC", (45.587, -73.597), BOROUGH),
    ("Anjou", "QC", (45.605, -73.561), BOROUGH),
    ("Montréal-Nord", "QC", (45.602, -73.632), BOROUGH),
    ("Montreal North", "QC", (45.602, -73.632), BOROUGH),
    ("Pierrefonds-Roxboro", "QC", (45.490, -73.850), BOROUGH),
    ("Outremont", "QC", (45.516, -73.609), BOROUGH),
    ("Ville-Marie", "QC", (45.508, -73.560), BOROUGH),
    ("Hochelaga-Maisonneuve", "QC", (45.548, -73.546), BOROUGH),
    ("Rosemont", "QC", (45.546, -73.590), BOROUGH),
    ("Charlesbourg", "QC", (46.863, -71.273), BOROUGH),
    ("Beauport", "QC", (46.866, -71.200), BOROUGH),
    # Neighbourhoods (the names the postal-code areas carry)
    ("St. Vital", "MB", (49.830, -97.100), NEIGHBOURHOOD),
    ("St Vital", "MB", (49.830, -97.100), NEIGHBOURHOOD),
    ("Saint-Vital", "MB", (49.830, -97.100), NEIGHBOURHOOD),
    ("St. Vital, Winnipeg", "MB", (49.830, -97.100), NEIGHBOURHOOD),
    ("St. Vital, MB", "MB", (49.830, -97.100), NEIGHBOURHOOD),
    ("Transcona", "MB", (49.895, -96.985), NEIGHBOURHOOD),
    ("St. Boniface", "MB", (49.885, -97.110), NEIGHBOURHOOD),
    ("St. Boniface, Winnipeg", "MB", (49.885, -97.110), NEIGHBOURHOOD),
    ("St. Boniface, MB", "MB", (49.885, -97.110), NEIGHBOURHOOD),
    ("St. Boniface Winnipeg", "MB", (49.885, -97.110), NEIGHBOURHOOD),
    ("Saint-Boniface, Winnipeg, MB", "MB", (49.885, -97.110), NEIGHBOURHOOD),
    ("Saint-Boniface, QC", "QC", (46.500, -75.983), NEIGHBOURHOOD),
    ("Fort Garry", "MB", (49.810, -97.150), BOROUGH),
    ("Ft. Garry", "MB", (49.810, -97.150), BOROUGH),
    ("River Heights, Winnipeg", "MB", (49.866, -97.190), NEIGHBOURHOOD),
    ("St. James, Winnipeg", "MB", (49.890, -97.250), BOROUGH),
    ("Exchange District", "MB", (49.899, -97.139), NEIGHBOURHOOD),
    ("The Forks", "MB", (49.887, -97.131), NEIGHBOURHOOD),
    ("Wolseley, Winnipeg", "MB", (49.876, -97.171), NEIGHBOURHOOD),
    ("Kitsilano", "BC", (49.268, -123.168), NEIGHBOURHOOD),
    ("Kerrisdale", "BC", (49.234, -123.155), NEIGHBOURHOOD),
    ("Yaletown", "BC", (49.275, -123.121), NEIGHBOURHOOD),
    ("Gastown", "BC", (49.283, -123.106), NEIGHBOURHOOD),
    ("Mount Pleasant, Vancouver", "BC", (49.263, -123.100), NEIGHBOURHOOD),
    ("downtown Vancouver", "BC", (49.282, -123.120), NEIGHBOURHOOD),
    ("Mill Woods", "AB", (53.455, -113.420), NEIGHBOURHOOD),
    ("Castledowns, Edmonton", "AB", (53.615, -113.520), NEIGHBOURHOOD),
    ("Inglewood, Calgary", "AB", (51.037, -114.020), NEIGHBOURHOOD),
    ("Agincourt", "ON", (43.785, -79.278), NEIGHBOURHOOD),
    ("Leaside", "ON", (43.705, -79.366), NEIGHBOURHOOD),
    ("The Annex", "ON", (43.670, -79.405), NEIGHBOURHOOD),
    ("Yorkville", "ON", (43.671, -79.393), NEIGHBOURHOOD),
    ("Cabbagetown", "ON", (43.667, -79.366), NEIGHBOURHOOD),
    ("High Park", "ON", (43.646, -79.464), NEIGHBOURHOOD),
    ("Don Mills", "ON", (43.737, -79.343), NEIGHBOURHOOD),
    ("Willowdale", "ON", (43.770, -79.410), NEIGHBOURHOOD),
    ("Downsview", "ON", (43.740, -79.480), NEIGHBOURHOOD),
    ("Downtown Toronto", "ON", (43.651, -79.383), NEIGHBOURHOOD),
    ("downtown Toronto", "ON", (43.651, -79.383), NEIGHBOURHOOD),
    ("Toronto downtown", "ON", (43.651, -79.383), NEIGHBOURHOOD),
    ("Port Credit", "ON", (43.551, -79.586), NEIGHBOURHOOD),
    ("Streetsville", "ON", (43.585, -79.713), NEIGHBOURHOOD),
    ("Malton", "ON", (43.706, -79.640), NEIGHBOURHOOD),
    ("Westboro", "ON", (45.392, -75.757), NEIGHBOURHOOD),
    ("The Glebe", "ON", (45.401, -75.688), NEIGHBOURHOOD),
    ("Vanier, Ottawa", "ON", (45.437, -75.662), NEIGHBOURHOOD),
    ("Barrhaven", "ON", (45.276, -75.745), NEIGHBOURHOOD),
    ("New Sudbury", "ON", (46.510, -80.960), NEIGHBOURHOOD),
    ("Griffintown", "QC", (45.492, -73.560), NEIGHBOURHOOD),
    ("Old Montreal", "QC", (45.507, -73.554), NEIGHBOURHOOD),
    ("Downtown Montreal", "QC", (45.503, -73.570), NEIGHBOURHOOD),
    # Postal codes, whole and partial, alone or after a city
    ("R3C 4T3", "MB", (49.885, -97.145), POSTAL),
    ("r3c4t3", "MB", (49.885, -97.145), POSTAL),
    ("R3C-4T3", "MB", (49.885, -97.145), POSTAL),
    ("R3C", "MB", (49.885, -97.145), POSTAL),
    ("R3C4", "MB", (49.885, -97.145), POSTAL),
    ("r3c 4", "MB", (49.885, -97.145), POSTAL),
    ("R3C 4T", "MB", (49.885, -97.145), POSTAL),
    ("Winnipeg, MB R2M", "MB", (49.853, -97.100), POSTAL),
    ("M5V 2T6", "ON", (43.642, -79.390), POSTAL),
    ("Toronto ON M5V", "ON", (43.642, -79.390), POSTAL),
    ("Toronto, ON M5V 3L9", "ON", (43.642, -79.390), POSTAL),
    ("H2X 1Y4", "QC", (45.510, -73.570), POSTAL),
    ("V6B", "BC", (49.280, -123.112), POSTAL),
    ("T2P 1J9", "AB", (51.047, -114.070), POSTAL),
    ("K1P 5J2", "ON", (45.420, -75.700), POSTAL),
    ("A1C", "NL", (47.563, -52.712), POSTAL),
    ("B3H", "NS", (44.636, -63.580), POSTAL),
    ("X1A 2L9", "NT", (62.454, -114.372), POSTAL),
    ("G1R", "QC", (46.810, -71.215), POSTAL),
    ("S7K", "SK", (52.140, -106.660), POSTAL),
    # Common misspellings: taken as the place meant
    ("Winipeg", "MB", (49.895, -97.138), CITY),
    ("Edmonten", "AB", (53.546, -113.494), CITY),
    ("Missisauga", "ON", (43.589, -79.644), CITY),
    ("Saskatton", "SK", (52.133, -106.670), CITY),
    ("Vancover", "BC", (49.283, -123.121), CITY),
    ("Torronto", "ON", (43.653, -79.384), CITY),
    ("Montrael", "QC", (45.502, -73.567), CITY),
    ("Calgery", "AB", (51.045, -114.072), CITY),
    ("Hallifax", "NS", (44.649, -63.575), CITY),
    ("Ottowa", "ON", (45.421, -75.697), CITY),
    ("Scarbourough", "ON", (43.773, -79.258), BOROUGH),
    ("Charlottown", "PE", (46.238, -63.131), CITY),
    ("Sudbry", "ON", (46.490, -80.990), AMALGAMATED),
]


@pytest.mark.django_db
def test_an_address_or_unknown_place_in_a_known_city_is_searched_from_the_city_and_says_so():
    match = resolve("123 Main Street, Winnipeg, MB")

    assert (str(match.place), match.corrected) == ("Winnipeg, MB", True)


UNKNOWN = ["Xyzzyville", "Atlantis, ON", "Qwrtzp", "Gotham City", "Z9Z 9Z9", "日本"]


@pytest.fixture(scope="module")
def gazetteer(django_db_setup, django_db_blocker):
    """The real gazetteer fixture, loaded once for this module."""
    with django_db_blocker.unblock():
        call_command("loaddata", "gazetteer", verbosity=0)
        yield
        from therapists.models import Place

        Place.objects.all().delete()


pytestmark = pytest.mark.usefixtures("gazetteer")


def test_the_table_has_enough_places_and_no_repeats():
    texts = [text for text, *_ in PLACES]

    assert len(texts) >= 150
    assert len(set(texts)) == len(texts)


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "province", "centre", "km"), PLACES, ids=[row[0] for row in PLACES])
def test_a_place_as_people_type_it_resolves_in_its_province_near_its_true_centre(text, province, centre, km):
    place = resolve(text).place

    assert place is not None, text
    assert place.province == province, str(place)
    assert geo.distance_km(place.point, geo.Point(*centre)) <= km, str(place)


@pytest.mark.django_db
@pytest.mark.parametrize("text", UNKNOWN)
def test_an_unknown_place_resolves_to_nothing(text):
    match = resolve(text)

    assert match.place is None


@pytest.mark.django_db
def test_a_bare_neighbourhood_name_picks_the_big_citys_and_offers_the_village_of_that_name():
    match = resolve("St. Boniface")

    assert str(match.place) == "St. Boniface, Winnipeg, MB"
    assert "Saint-Boniface, QC" in [str(place) for place in match.alternatives]


@pytest.mark.django_db
def test_scarborough_north_york_and_downtown_toronto_are_parts_of_toronto_not_lookalikes_elsewhere():
    assert str(resolve("Scarborough").place) == "Scarborough, Toronto, ON"
    assert str(resolve("North York").place) == "North York, Toronto, ON"
    assert str(resolve("downtown Toronto").place) == "Downtown Toronto, ON"


@pytest.mark.django_db
def test_a_postal_area_is_named_plainly_with_two_of_its_neighbourhoods():
    assert label(resolve("R3C").place) == "R3C, Winnipeg (Broadway, The Forks)"
    assert label(resolve("M7A").place) == "M7A, Queen's Park"


@pytest.mark.django_db
def test_resolving_a_place_costs_one_query(django_assert_num_queries):
    for text in ("Winnipeg", "Quebec City", "St. Vital", "R3C 4T3"):
        with django_assert_num_queries(1):
            resolve(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("win", "Winnipeg, MB"),
        ("quebec c", "Québec, QC"),
        ("st vi", "St. Vital, Winnipeg, MB"),
        ("scarb", "Scarborough, Toronto, ON"),
        ("r3c", "R3C, MB"),
    ],
)
def test_a_type_ahead_finds_places_by_any_of_their_names(prefix, expected):
    assert expected in [str(place) for place in starting_with(prefix, 8)]


@pytest.mark.django_db
def test_a_type_ahead_costs_one_query():
    with CaptureQueriesContext(connection) as queries:
        starting_with("sudb", 8)

    assert len(queries) == 1


# Searching from a place: the origin on the page, and no dead ends far from listings


def search(client, **params):
    response = client.get(reverse("therapists:search"), params)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_the_results_carry_the_resolved_origin_for_scripts_and_tests(client):
    html = search(client, where="St. Vital").content.decode()

    assert 'data-origin-name="St. Vital, Winnipeg, MB"' in html
    assert 'data-origin-lat="49.8' in html and 'data-origin-lng="-97.0' in html
    assert "Therapists near St. Vital, Winnipeg, MB" in html


@pytest.mark.django_db
def test_a_postal_code_heading_names_its_area_plainly(client):
    html = search(client, where="R3C 4T3").content.decode()

    assert "Therapists near R3C, Winnipeg (Broadway, The Forks)" in html
    assert "Provincial Government" not in html


@pytest.mark.django_db
def test_beyond_the_radius_only_therapists_within_reach_are_offered_as_nearest(client):
    winnipeg = resolve("Winnipeg").place.point
    near = make_therapist(locations=[make_location(at=(winnipeg.latitude, winnipeg.longitude + 60 / 71.7))])
    make_therapist(locations=[make_location(at=(winnipeg.latitude, winnipeg.longitude + 300 / 71.7))])

    results = search(client, where="Winnipeg").context["results"]

    assert [result.therapist for result in results.beyond] == [near]
    assert results.nearest_far is None


@pytest.mark.django_db
def test_far_from_listings_the_page_says_how_far_the_nearest_is_and_offers_virtual_care_there(client):
    # 700 km from Thunder Bay: a Toronto therapist registered in Ontario who sees patients online.
    toronto = make_location(at=(43.65, -79.38), province="ON")
    online = make_therapist(offers_virtual_care=True, locations=[toronto])
    make_therapist(offers_virtual_care=True, locations=[make_location(at=(49.9, -97.1), province="MB")])

    response = search(client, where="Thunder Bay")

    results = response.context["results"]
    html = response.content.decode()
    assert results.results == []
    assert results.nearest_far.distance_km > 500
    assert [result.therapist for result in results.virtual_care] == [online]
    assert "The nearest therapist who sees patients in person is about" in html
    assert "Virtual care in Ontario" in html


@pytest.mark.django_db
def test_where_no_one_registered_in_the_province_offers_virtual_care_the_page_says_so(client):
    make_therapist(offers_virtual_care=True, locations=[make_location(at=(49.9, -97.1), province="MB")])

    response = search(client, where="Iqaluit")

    html = response.content.decode()
    assert response.context["results"].virtual_care == []
    assert "No therapist registered in Nunavut offers virtual care." in html
    assert "The nearest therapist who sees patients in person is about" in html


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["St. John's", "Whitehorse", "Iqaluit", "Sault Ste. Marie"])
def test_on_the_demo_data_remote_places_list_no_one_far_away_as_near(client, where):
    call_command("loaddata", "demo", verbosity=0)

    results = search(client, where=where).context["results"]

    assert results.results == []
    assert results.nearest_far is not None and results.nearest_far.distance_km > 100


@pytest.mark.django_db
def test_on_the_demo_data_sault_ste_marie_is_offered_virtual_care_from_ontario(client):
    call_command("loaddata", "demo", verbosity=0)

    results = search(client, where="Sault Ste. Marie").context["results"]

    assert results.virtual_care
    assert all(result.therapist.offers_virtual_care for result in results.virtual_care)
    assert all(result.location.province == "ON" for result in results.virtual_care)


@pytest.mark.django_db
def test_far_from_listings_use_my_location_is_offered_virtual_care_in_the_province_it_is_in(client):
    toronto = make_location(at=(43.65, -79.38), province="ON")
    online = make_therapist(offers_virtual_care=True, locations=[toronto])

    # Thunder Bay's coordinates, with no place typed.
    response = search(client, lat="48.38", lng="-89.25")

    results = response.context["results"]
    assert results.province == "ON"
    assert [result.therapist for result in results.virtual_care] == [online]
    assert "Virtual care in Ontario" in response.content.decode()
