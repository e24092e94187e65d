"""Fictional but realistic demo listings, built reproducibly from a seed.

`manage.py build_demo_fixture` writes them to fixtures/demo.json; `load_demo`
loads that file. Clinics, people, phone numbers (555-01xx) and registration
numbers are invented; streets and postal-code areas are real, and coordinates are
the area's centroid with a small offset so that each listing sits in its city.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils.text import slugify

from therapists import geo

SEED = 2026
FIXTURE_TIMESTAMP = "2026-11-01T12:00:00Z"
MAX_KM_FROM_CITY_CENTRE = 20


@dataclass(frozen=True)
class ClinicSpec:
    name: str
    disciplines: str  # letters: m(assage), p(hysiotherapy), c(hiropractic)
    locations: tuple[tuple[str, str, str], ...]  # (location name, street, FSA)


@dataclass(frozen=True)
class CitySpec:
    name: str
    province: str
    area_code: str
    centre: tuple[float, float]  # the gazetteer's point for the city, degrees
    therapists_per_discipline: int
    clinics: tuple[ClinicSpec, ...]
    languages: tuple[str, ...]  # languages other than English and French heard in the city
    french_first: bool = False


CITIES = (
    CitySpec(
        "Winnipeg",
        "MB",
        "204",
        (49.8844, -97.14704),
        11,
        (
            ClinicSpec(
                "Forks Physiotherapy & Sport Clinic",
                "pm",
                (("Broadway", "Broadway", "R3C"), ("St. Vital", "St. Mary's Road", "R2M")),
            ),
            ClinicSpec("Corydon Massage Therapy", "m", (("Corydon", "Corydon Avenue", "R3M"),)),
            ClinicSpec(
                "Red River Chiropractic",
                "cm",
                (("Fort Garry", "Pembina Highway", "R3T"), ("River East", "Henderson Highway", "R2G")),
            ),
            ClinicSpec("Wolseley Wellness Collective", "mpc", (("Wolseley", "Westminster Avenue", "R3G"),)),
            ClinicSpec("Transcona Rehab Centre", "pc", (("Transcona", "Regent Avenue West", "R2C"),)),
            ClinicSpec(
                "Tuxedo Health Partners",
                "pmc",
                (("Tuxedo", "Kenaston Boulevard", "R3P"), ("Osborne Village", "Osborne Street", "R3L")),
            ),
        ),
        ("tl", "uk", "pa", "de"),
    ),
    CitySpec(
        "Vancouver",
        "BC",
        "604",
        (49.24966, -123.11934),
        11,
        (
            ClinicSpec(
                "West End Physio & Massage",
                "pm",
                (("Robson", "Robson Street", "V6E"), ("Denman", "Denman Street", "V6G")),
            ),
            ClinicSpec("Kitsilano Chiropractic", "cm", (("Kitsilano", "West 4th Avenue", "V6K"),)),
            ClinicSpec(
                "Commercial Drive Health Co-op",
                "mpc",
                (("The Drive", "Commercial Drive", "V5L"), ("Renfrew", "Kingsway", "V5R")),
            ),
            ClinicSpec("Cambie Village Physiotherapy", "p", (("Cambie", "Cambie Street", "V5Z"),)),
            ClinicSpec("Main Street Massage Studio", "m", (("Riley Park", "Main Street", "V5V"),)),
            ClinicSpec(
                "Kerrisdale Spine & Sport",
                "cp",
                (("Kerrisdale", "West 41st Avenue", "V6M"), ("Gastown", "Water Street", "V6B")),
            ),
        ),
        ("yue", "zh", "pa", "ko", "fa", "tl"),
    ),
    CitySpec(
        "Edmonton",
        "AB",
        "780",
        (53.55014, -113.46871),
        11,
        (
            ClinicSpec(
                "River Valley Physiotherapy",
                "pm",
                (("Downtown", "Jasper Avenue", "T5J"), ("Glenora", "Stony Plain Road", "T5N")),
            ),
            ClinicSpec("Whyte Avenue Chiropractic", "cm", (("Old Strathcona", "82 Avenue NW", "T6E"),)),
            ClinicSpec("124 Street Massage Therapy", "m", (("124 Street", "124 Street NW", "T5M"),)),
            ClinicSpec(
                "Southgate Rehab & Wellness",
                "pcm",
                (("Southgate", "111 Street NW", "T6H"), ("Heritage Valley", "Ellerslie Road SW", "T6W")),
            ),
            ClinicSpec("West End Family Chiropractic", "c", (("Jasper Place", "87 Avenue NW", "T5T"),)),
            ClinicSpec("University Sport Medicine", "pm", (("Garneau", "87 Avenue NW", "T6G"),)),
        ),
        ("uk", "pa", "tl", "ar", "hi"),
    ),
    CitySpec(
        "Toronto",
        "ON",
        "416",
        (43.70643, -79.39864),
        11,
        (
            ClinicSpec(
                "Queen West Physiotherapy",
                "pm",
                (("King West", "King Street West", "M5V"), ("Roncesvalles", "Roncesvalles Avenue", "M6R")),
            ),
            ClinicSpec("Danforth Chiropractic & Massage", "cm", (("Danforth", "Danforth Avenue", "M4K"),)),
            ClinicSpec(
                "Yonge & Eglinton Health Centre",
                "mpc",
                (("Davisville", "Yonge Street", "M4S"), ("Cedarvale", "Eglinton Avenue West", "M6C")),
            ),
            ClinicSpec("Annex Massage Therapy", "m", (("Annex", "Bloor Street West", "M5S"),)),
            ClinicSpec("Kensington Physio Clinic", "p", (("Kensington", "Spadina Avenue", "M5T"),)),
            ClinicSpec("Beaches Spine Centre", "cp", (("The Beaches", "Queen Street East", "M4E"),)),
            ClinicSpec("Bay Street Sport Physio", "pm", (("Financial District", "Bay Street", "M5G"),)),
        ),
        ("pt", "it", "zh", "yue", "es", "hi", "pl", "ar", "vi"),
    ),
    CitySpec(
        "Montréal",
        "QC",
        "514",
        (45.50884, -73.58781),
        4,
        (
            ClinicSpec(
                "Clinique Physio Plateau",
                "pm",
                (
                    ("Plateau", "Boulevard Saint-Laurent", "H2X"),
                    ("Mont-Royal", "Avenue du Mont-Royal Est", "H2J"),
                ),
            ),
            ClinicSpec(
                "Chiropratique Centre-Ville", "cm", (("Centre-ville", "Rue Sherbrooke Ouest", "H3A"),)
            ),
            ClinicSpec("Massothérapie NDG", "mp", (("NDG", "Avenue de Monkland", "H4A"),)),
        ),
        ("es", "ar", "it", "pt", "vi"),
        french_first=True,
    ),
    CitySpec(
        "Calgary",
        "AB",
        "403",
        (51.05011, -114.08529),
        3,
        (
            ClinicSpec("Mission Physiotherapy", "pm", (("Mission", "4 Street SW", "T2S"),)),
            ClinicSpec(
                "Kensington Chiropractic Calgary", "cm", (("Kensington", "Kensington Road NW", "T2N"),)
            ),
        ),
        ("pa", "tl", "zh", "es"),
    ),
    CitySpec(
        "Ottawa",
        "ON",
        "613",
        (45.41117, -75.69812),
        3,
        (
            ClinicSpec("Glebe Physiotherapy", "pm", (("Glebe", "Bank Street", "K1S"),)),
            ClinicSpec("Centretown Chiropractic", "cm", (("Centretown", "Elgin Street", "K2P"),)),
        ),
        ("ar", "es", "zh"),
    ),
    CitySpec(
        "Halifax",
        "NS",
        "902",
        (44.64533, -63.57239),
        2,
        (
            ClinicSpec(
                "Spring Garden Health Clinic", "mpc", (("Spring Garden", "Spring Garden Road", "B3J"),)
            ),
        ),
        ("ar",),
    ),
    CitySpec(
        "Saskatoon",
        "SK",
        "306",
        (52.11679, -106.63452),
        2,
        (ClinicSpec("Broadway Rehab Saskatoon", "mpc", (("Nutana", "Broadway Avenue", "S7H"),)),),
        ("uk", "tl", "de"),
    ),
    # Francophone listings outside Montréal, added last so the cities above keep their data.
    CitySpec(
        "Gatineau",
        "QC",
        "819",
        (45.47723, -75.70164),
        3,
        (
            ClinicSpec(
                "Clinique Santé de l'Outaouais",
                "mpc",
                (("Hull", "Boulevard Saint-Joseph", "J8Y"), ("Aylmer", "Chemin d'Aylmer", "J9H")),
            ),
            ClinicSpec("Physio Gatineau Centre", "p", (("Centre", "Boulevard Maloney Ouest", "J8T"),)),
        ),
        ("es", "ar"),
        french_first=True,
    ),
    CitySpec(
        "Winnipeg",
        "MB",
        "204",
        (49.8844, -97.14704),
        2,
        (
            ClinicSpec(
                "Centre de santé Saint-Boniface",
                "mp",
                (("Saint-Boniface", "Boulevard Provencher", "R2H"),),
            ),
        ),
        ("tl",),
        french_first=True,
    ),
)

DISCIPLINE_LETTERS = {"m": "massage", "p": "physiotherapy", "c": "chiropractic"}

SPECIALTIES_BY_DISCIPLINE = {
    "massage": [
        "deep-tissue-massage",
        "prenatal-massage",
        "hot-stone-massage",
        "myofascial-release",
        "lymphatic-drainage",
        "sports-injuries",
        "tmj-dysfunction",
        "headaches-and-migraines",
        "low-back-pain",
        "whiplash-and-motor-vehicle-injuries",
    ],
    "physiotherapy": [
        "sports-injuries",
        "post-surgical-rehab",
        "dry-needling",
        "acupuncture",
        "concussion-management",
        "pelvic-health",
        "vestibular-rehabilitation",
        "running-injuries",
        "frozen-shoulder",
        "tennis-and-golfers-elbow",
        "carpal-tunnel-syndrome",
        "arthritis-care",
        "low-back-pain",
        "plantar-fasciitis",
        "whiplash-and-motor-vehicle-injuries",
    ],
    "chiropractic": [
        "spinal-manipulation",
        "low-back-pain",
        "headaches-and-migraines",
        "sciatica",
        "whiplash-and-motor-vehicle-injuries",
        "orthotics-and-gait-analysis",
        "sports-injuries",
        "acupuncture",
        "tmj-dysfunction",
    ],
}

CREDENTIALS = {
    "massage": ["RMT", "RMT", "RMT, BKin"],
    "physiotherapy": ["MPT", "MScPT", "BScPT", "MPT, FCAMPT", "MScPT, Dip. Sport Physio"],
    "chiropractic": ["DC", "DC", "DC, FRCCSS(C)"],
}

# Who registers each profession, by province (associations where massage is not regulated).
REGULATORS = {
    "massage": {
        "MB": "Massage Therapy Association of Manitoba",
        "BC": "College of Health and Care Professionals of BC",
        "AB": "Massage Therapist Association of Alberta",
        "ON": "College of Massage Therapists of Ontario",
        "QC": "Fédération québécoise des massothérapeutes",
        "NS": "Massage Therapists' Association of Nova Scotia",
        "SK": "Massage Therapist Association of Saskatchewan",
    },
    "physiotherapy": {
        "MB": "College of Physiotherapists of Manitoba",
        "BC": "College of Health and Care Professionals of BC",
        "AB": "Physiotherapy Alberta College + Association",
        "ON": "College of Physiotherapists of Ontario",
        "QC": "Ordre professionnel de la physiothérapie du Québec",
        "NS": "Nova Scotia College of Physiotherapists",
        "SK": "Saskatchewan College of Physical Therapists",
    },
    "chiropractic": {
        "MB": "Manitoba Chiropractors Association",
        "BC": "College of Health and Care Professionals of BC",
        "AB": "College of Chiropractors of Alberta",
        "ON": "College of Chiropractors of Ontario",
        "QC": "Ordre des chiropraticiens du Québec",
        "NS": "Nova Scotia College of Chiropractors",
        "SK": "Chiropractors' Association of Saskatchewan",
    },
}

FIRST_NAMES = [
    "Aisha", "Amelia", "Ananya", "Andrea", "Ben", "Carlos", "Chloe", "Connor", "Daniel", "Darius",
    "Elena", "Emily", "Ethan", "Farah", "Gabriel", "Grace", "Hannah", "Harpreet", "Isaac", "Jasmine",
    "Jordan", "Julia", "Kai", "Kavya", "Liam", "Lucas", "Maya", "Mei", "Mohammed", "Nadia", "Nathan",
    "Noah", "Olivia", "Omar", "Priya", "Rachel", "Raj", "Riley", "Rosa", "Sam", "Sarah", "Simran",
    "Sofia", "Taylor", "Thomas", "Tyler", "Victoria", "Wei", "Yusuf", "Zoe", "Marisol", "Bogdan",
    "Oksana", "Joy", "Paolo", "Jin", "Minh", "Leila", "Eun-ji", "Kiran",
]  # fmt: skip
LAST_NAMES = [
    "Anderson", "Bhatt", "Brown", "Campbell", "Chen", "Cohen", "Da Silva", "Dhillon", "Fraser",
    "Friesen", "Garcia", "Gill", "Hamilton", "Harris", "Ho", "Ibrahim", "Johnson", "Kaur", "Kim",
    "Kowalski", "Lam", "Lee", "MacDonald", "Martin", "Mendoza", "Murphy", "Nguyen", "Okafor", "Patel",
    "Reyes", "Robinson", "Rossi", "Santos", "Scott", "Sharma", "Singh", "Smith", "Stewart", "Taylor",
    "Thompson", "Tkachuk", "Wang", "Wiebe", "Wilson", "Wong", "Young", "Zhang", "Bouchard", "Novak",
]  # fmt: skip
FRENCH_FIRST_NAMES = [
    "Amélie", "Antoine", "Camille", "Chloé", "Élise", "Émile", "Étienne", "Gabrielle", "Geneviève",
    "Hugo", "Isabelle", "Jérôme", "Julien", "Léa", "Louis", "Mathieu", "Maxime", "Noémie", "Olivier",
    "Rosalie", "Samuel", "Sophie", "Thomas", "Valérie", "Zoé",
]  # fmt: skip
FRENCH_LAST_NAMES = [
    "Beaulieu", "Bélanger", "Bergeron", "Bouchard", "Côté", "Fortin", "Gagnon", "Gauthier", "Girard",
    "Lavoie", "Leblanc", "Lefebvre", "Morin", "Ouellet", "Paquette", "Pelletier", "Roy", "Tremblay",
]  # fmt: skip

# Weekly patterns: (weekdays Monday=0, opens, closes); a day may have two periods.
HOURS_PATTERNS = [
    [((0, 1, 2, 3, 4), "08:00", "20:00"), ((5,), "09:00", "15:00")],
    [((0, 2, 4), "09:00", "17:00"), ((1, 3), "11:00", "19:00")],
    [((0, 1, 2, 3), "07:00", "12:00"), ((0, 1, 2, 3), "13:00", "19:00"), ((4,), "07:00", "15:00")],
    [((0, 1, 2, 3, 4, 5), "10:00", "18:00"), ((6,), "11:00", "16:00")],
]

CLINIC_BLURBS = [
    "A neighbourhood clinic where every first visit starts with a full assessment and a plan you understand.",
    "Evening and weekend appointments, a bright ground-floor space and a team that plans your care together.",
    "Helping people get back to work, sport and everyday life since {year}.",
    "Hands-on treatment, clear home exercise plans and direct communication with your family doctor.",
]
# The same blurbs in French, in the same order (a clinic's description_fr).
CLINIC_BLURBS_FR = [
    "Une clinique de quartier où chaque première visite commence par une évaluation complète et un plan "
    "que vous comprenez.",
    "Des rendez-vous le soir et la fin de semaine, un local lumineux au rez-de-chaussée et une équipe qui "
    "planifie vos soins ensemble.",
    "Nous aidons les gens à retourner au travail, au sport et à la vie de tous les jours depuis {year}.",
    "Traitement manuel, programmes d'exercices clairs à faire à la maison et communication directe avec "
    "votre médecin de famille.",
]
BIO_EN = (
    "{first} has practised as a {title_lower} in {city} since {year}. {first} sees many patients for "
    "{spec1} and {spec2}, and combines hands-on treatment with simple exercises to do at home. "
    "Appointments start with a conversation about what hurts and what you want to get back to."
)
BIO_FR = (
    "{first} exerce à {city} depuis {year} et accompagne des patients de tous âges, du sportif "
    "à la personne qui a mal au dos après une journée au bureau : traitement manuel, exercices "
    "simples à faire à la maison et explications claires. {first} reçoit aussi des patients en anglais."
)

# Insurers every clinic may bill directly, and the programmes of each province.
DEMO_INSURERS = [
    "canada-life",
    "manulife",
    "sun-life",
    "green-shield",
    "pacific-blue-cross",
    "desjardins",
    "beneva",
    "blue-cross",
    "claimsecure",
    "grouphealth",
    "johnson",
]
PROVINCE_PROGRAMMES = {
    "BC": ["icbc", "wcb"],
    "AB": ["wcb"],
    "SK": ["sgi", "wcb"],
    "MB": ["mpi", "wcb"],
    "ON": ["wsib"],
    "QC": [],
}
# A price list by discipline: (kind, minutes, price in CAD at a typical clinic).
FEES_BY_DISCIPLINE = {
    "massage": [("massage", 30, 65), ("massage", 60, 100), ("massage", 90, 140)],
    "physiotherapy": [("assessment", 60, 110), ("follow-up", 30, 85)],
    "chiropractic": [("assessment", 45, 90), ("adjustment", 15, 55)],
}
PRONOUNS = {"woman": "she/her", "man": "he/him", "non-binary": "they/them"}

DEMO_PASSWORD = "demo12345"
# username: (superuser, slugs of the clinics the account manages)
DEMO_ACCOUNTS = {
    "admin": (True, []),
    "winnipeg-manager": (False, ["forks-physiotherapy-sport-clinic", "corydon-massage-therapy"]),
    "toronto-manager": (False, ["queen-west-physiotherapy", "annex-massage-therapy"]),
}
CLINIC_MANAGERS_GROUP = "Clinic managers"


def create_demo_accounts() -> list[str]:
    """Create or reset the demo accounts (demo-only password) and attach managers to their clinics."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from therapists.models import Clinic

    group, _ = Group.objects.get_or_create(name=CLINIC_MANAGERS_GROUP)
    for username, (superuser, clinic_slugs) in DEMO_ACCOUNTS.items():
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.email = f"{username}@example.com"
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        if clinic_slugs:
            user.groups.add(group)
            user.managed_clinics.set(Clinic.objects.filter(slug__in=clinic_slugs))
    return list(DEMO_ACCOUNTS)


def _offset(rng: random.Random, point: tuple[float, float], km: float) -> tuple[float, float]:
    """A point up to `km` from `point` (flat approximation, fine at city scale)."""
    lat, lng = point
    dlat = rng.uniform(-km, km) / 111.0
    dlng = rng.uniform(-km, km) / (111.0 * max(0.1, abs(geo.math.cos(geo.math.radians(lat)))))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _ldu(rng: random.Random) -> str:
    letters = "ABCEGHJKLMNPRSTVWXYZ"
    return f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}"


def build(fsa_centroids: dict[str, tuple[float, float]], seed: int = SEED) -> list[dict]:
    """The demo fixture: clinics, locations, opening hours and therapists, as loaddata objects."""
    rng = random.Random(seed)
    # Fees, payers, new-patient states and booking links draw from their own
    # sequence, so the rest of the demo data stays what it was.
    listing_rng = random.Random(seed + 1)
    clinics, locations, hours, therapists, fees = [], [], [], [], []
    slugs: set[str] = set()
    today = datetime.date(2026, 11, 20)
    phone_serial = iter(range(100, 200))

    for city in CITIES:
        city_locations: dict[str, list[list[str]]] = {d: [] for d in DISCIPLINE_LETTERS.values()}
        for spec in city.clinics:
            slug = slugify(spec.name)
            clinics.append(
                {
                    "model": "therapists.clinic",
                    "fields": {
                        "name": spec.name,
                        "slug": slug,
                        "phone": f"({city.area_code}) 555-0{next(phone_serial)}",
                        "email": f"frontdesk@{slug}.example",
                        "website": f"https://{slug}.example/",
                        **_blurbs(rng),
                        "payers": _payers(listing_rng, city.province),
                        "created_at": FIXTURE_TIMESTAMP,
                        "updated_at": FIXTURE_TIMESTAMP,
                    },
                }
            )
            offered = [DISCIPLINE_LETTERS[letter] for letter in spec.disciplines]
            fees += _clinic_fees(listing_rng, slug, offered)
            for location_name, street, fsa in spec.locations:
                point = _offset(rng, fsa_centroids[fsa], 0.6)
                distance = geo.distance_km(geo.Point(*point), geo.Point(*city.centre))
                assert distance < MAX_KM_FROM_CITY_CENTRE, (spec.name, location_name, distance)
                key = [slug, location_name]
                locations.append(
                    {
                        "model": "therapists.location",
                        "fields": {
                            "clinic": [slug],
                            "name": location_name,
                            "street": f"{rng.randint(100, 2999)} {street}",
                            "city": city.name,
                            "province": city.province,
                            "postal_code": f"{fsa} {_ldu(rng)}",
                            "phone": "",
                            "latitude": point[0],
                            "longitude": point[1],
                            "wheelchair_accessible": rng.random() < 0.65,
                            # loaddata does not call Location.save(), which sets it everywhere else.
                            "time_zone": geo.time_zone_at(geo.Point(*point), city.province),
                        },
                    }
                )
                for weekdays, opens, closes in rng.choice(HOURS_PATTERNS):
                    for weekday in weekdays:
                        hours.append(
                            {
                                "model": "therapists.openinghours",
                                "fields": {
                                    "location": key,
                                    "weekday": weekday,
                                    "opens": f"{opens}:00",
                                    "closes": f"{closes}:00",
                                },
                            }
                        )
                for letter in spec.disciplines:
                    city_locations[DISCIPLINE_LETTERS[letter]].append(key)

        for discipline, places in city_locations.items():
            for index in range(city.therapists_per_discipline if places else 0):
                therapist = _therapist(
                    rng, city, discipline, places, index, slugs, today, published=index > 0
                )
                therapists.append(therapist)
                fees += _listing(listing_rng, therapist, discipline, today)

    return clinics + locations + hours + therapists + fees


def _blurbs(rng: random.Random) -> dict[str, str]:
    """A clinic's description in English and French (the same draws as one blurb)."""
    index = rng.choice(range(len(CLINIC_BLURBS)))
    year = rng.randint(1995, 2018)
    english = CLINIC_BLURBS[index].format(year=year)
    french = CLINIC_BLURBS_FR[index].format(year=year)
    return {"description": english, "description_en": english, "description_fr": french}


def _payers(rng: random.Random, province: str) -> list[list[str]]:
    """Three to seven insurers billed directly, and the province's programmes (most clinics)."""
    insurers = rng.sample(DEMO_INSURERS, rng.randint(3, 7))
    programmes = [slug for slug in PROVINCE_PROGRAMMES.get(province, []) if rng.random() < 0.7]
    return [[slug] for slug in sorted(insurers + programmes)]


def _fee(clinic_slug, therapist_slug, kind, minutes, price, taxable) -> dict:
    return {
        "model": "therapists.fee",
        "fields": {
            "clinic": [clinic_slug],
            "therapist": [therapist_slug] if therapist_slug else None,
            "kind": kind,
            "description": "",
            "minutes": minutes,
            "price": f"{price:.2f}",
            "taxable": taxable,
        },
    }


def _clinic_fees(rng: random.Random, clinic_slug: str, disciplines: list[str]) -> list[dict]:
    """The clinic's price list for the disciplines it offers, a little above or below typical."""
    markup = rng.choice([-10, -5, 0, 0, 5, 10, 15])
    # Massage is taxed in a few provinces' rules for unregistered providers; shown on a few clinics.
    taxable = rng.random() < 0.1
    return [
        _fee(clinic_slug, None, kind, minutes, price + markup, taxable and kind == "massage")
        for discipline in disciplines
        for kind, minutes, price in FEES_BY_DISCIPLINE[discipline]
    ]


def _listing(rng: random.Random, therapist: dict, discipline: str, today: datetime.date) -> list[dict]:
    """New-patient state, pronouns and a booking link on `therapist`; returns their own fees
    (about one in eight charges more than the clinic's price for an hour)."""
    fields = therapist["fields"]
    if fields["new_patients"] != "accepting":
        fields["new_patients"] = rng.choice(["waitlist", "existing", "not-accepting"])
    fields["new_patients_as_of"] = (today - datetime.timedelta(days=rng.randint(0, 90))).isoformat()
    fields["pronouns"] = PRONOUNS.get(fields["gender"], "") if rng.random() < 0.4 else ""
    clinic_slug = fields["locations"][0][0]
    if rng.random() < 0.6:
        fields["booking_url"] = f"https://{clinic_slug}.example/book/{fields['slug']}"
    if rng.random() < 0.125:
        kind, minutes, price = FEES_BY_DISCIPLINE[discipline][-1 if discipline == "massage" else 0]
        return [_fee(clinic_slug, fields["slug"], kind, minutes, price + 20, False)]
    return []


def _therapist(rng, city, discipline, places, index, slugs, today, *, published) -> dict:
    french = city.french_first and rng.random() < 0.8
    first = rng.choice(FRENCH_FIRST_NAMES if french else FIRST_NAMES)
    last = rng.choice(FRENCH_LAST_NAMES if french else LAST_NAMES)
    slug = base = slugify(f"{first} {last}")
    counter = 2
    while slug in slugs:
        slug, counter = f"{base}-{counter}", counter + 1
    slugs.add(slug)

    # Round-robin over the city's locations for this discipline keeps every clinic staffed;
    # about one therapist in five also works at a second location.
    locations = [places[index % len(places)]]
    if len(places) > 1 and rng.random() < 0.2:
        locations.append(rng.choice([p for p in places if p != locations[0]]))

    languages = ["fr", "en"] if city.french_first else ["en"]
    if city.french_first and not french and rng.random() < 0.3:
        languages.remove("fr")
    if not city.french_first and rng.random() < 0.12:
        languages.append("fr")
    if rng.random() < 0.35:
        languages.append(rng.choice(city.languages))
    specialties = rng.sample(SPECIALTIES_BY_DISCIPLINE[discipline], rng.randint(2, 5))
    year = rng.randint(1998, 2023)
    title = {"massage": "registered massage therapist", "physiotherapy": "physiotherapist"}.get(
        discipline, "chiropractor"
    )
    spec_names = [s.replace("-", " ").replace("golfers", "golfer's") for s in specialties[:2]]
    facts = {"first": first, "title_lower": title, "city": city.name, "year": year}
    bio = BIO_EN.format(**facts, spec1=spec_names[0], spec2=spec_names[1])
    # A French bio for every therapist who treats in French (shown on the French pages).
    bio_fr = BIO_FR.format(**facts) if "fr" in languages else ""
    verified = None if rng.random() < 0.1 else today - datetime.timedelta(days=rng.randint(0, 200))
    virtual_share = {"massage": 0.0, "physiotherapy": 0.4, "chiropractic": 0.1}[discipline]
    return {
        "model": "therapists.therapist",
        "fields": {
            "first_name": first,
            "last_name": last,
            "slug": slug,
            "discipline": [discipline],
            "credentials": rng.choice(CREDENTIALS[discipline]),
            "regulator": REGULATORS[discipline][city.province],
            "registration_number": f"{city.province}-{rng.randint(1000, 99999):05d}",
            "bio": bio,
            "bio_en": bio,
            "bio_fr": bio_fr,
            "languages": [[code] for code in dict.fromkeys(languages)],
            "gender": rng.choices(["woman", "man", "non-binary", ""], weights=[52, 38, 3, 7])[0],
            "specialties": [[s] for s in specialties],
            "locations": locations,
            "new_patients": "accepting" if rng.random() < 0.7 else "not-accepting",  # see _listing
            "offers_virtual_care": rng.random() < virtual_share,
            "is_published": published,
            "last_verified": verified.isoformat() if verified else None,
            "created_at": FIXTURE_TIMESTAMP,
            "updated_at": FIXTURE_TIMESTAMP,
        },
    }
