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

from therapists import geo, regulators

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
REGULATORS = {(body.discipline, body.province): body for body in regulators.BODIES}


def regulator_name(discipline: str, province: str) -> str:
    """The name of who registers `discipline` in `province`, or "" when we do not list one."""
    body = REGULATORS.get((discipline, province))
    return body.name if body else ""


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

    _one_stale_listing(therapists, today)
    # Photos, tags and booking links at a second clinic draw from a third sequence.
    extras = _photos_tags_links(random.Random(seed + 2), clinics, locations, therapists)
    return clinics + locations + hours + therapists + fees + extras + _own_days(seed, therapists)


# (tag slug, share of therapists the clinic declares it for)
DEMO_TAGS = [
    ("lgbtq2s-affirming", 0.18),
    ("trauma-informed", 0.15),
    ("prenatal-and-postpartum", 0.08),
    ("paediatric", 0.07),
    ("seniors", 0.1),
    ("evening-appointments", 0.2),
    ("weekend-appointments", 0.12),
    ("home-visits", 0.03),
]
DEMO_PHOTO_PREFIX = "demo-"  # the stored names of demo photos, which `draw_demo_photos` draws
CLINIC_PHOTO_SUBJECTS = ["the reception", "a treatment room", "the exercise area"]


def _photos_tags_links(rng: random.Random, clinics, locations, therapists) -> list[dict]:
    """A drawn headshot for every therapist, tags for some, a few photos per clinic, and a
    booking link at the second clinic of therapists who book online and work at two.
    Returns the clinic photos and booking links; sets the rest on the therapists."""
    extras = []
    for clinic in clinics:
        slug = clinic["fields"]["slug"]
        for position, subject in enumerate(CLINIC_PHOTO_SUBJECTS[: rng.randint(1, 2)]):
            extras.append(
                {
                    "model": "therapists.clinicphoto",
                    "fields": {
                        "clinic": [slug],
                        "photo": f"photos/clinics/{DEMO_PHOTO_PREFIX}{slug}-{position}-960.jpg",
                        "alt_text": f"Drawn pattern in place of a photo of {subject}",
                        "position": position,
                    },
                }
            )
    for therapist in therapists:
        fields = therapist["fields"]
        fields["photo"] = f"photos/headshots/{DEMO_PHOTO_PREFIX}{fields['slug']}-320.jpg"
        fields["photo_alt"] = (
            f"Drawn placeholder with the initials of {fields['first_name']} {fields['last_name']}"
        )
        fields["tags"] = [[slug] for slug, share in DEMO_TAGS if rng.random() < share]
        first, *others = fields["locations"]
        other_clinic = next((place for place in others if place[0] != first[0]), None)
        if fields.get("booking_url") and other_clinic and rng.random() < 0.8:
            extras.append(
                {
                    "model": "therapists.bookinglink",
                    "fields": {
                        "therapist": [fields["slug"]],
                        "location": other_clinic,
                        "url": f"https://{other_clinic[0]}.example/online-booking/{fields['slug']}",
                    },
                }
            )
    return extras


def draw_demo_photos() -> int:
    """Draw the demo's placeholder photos into MEDIA_ROOT (deterministic, never downloaded):
    initials on a soft colour for therapists, patterns for clinics. Returns how many were drawn;
    photos already there are left alone."""
    from django.core.files.storage import default_storage

    from therapists import photos
    from therapists.models import ClinicPhoto, Therapist

    drawn = 0
    demo_photos = Therapist.objects.filter(photo__contains=f"/{DEMO_PHOTO_PREFIX}")
    for therapist in demo_photos.only("first_name", "last_name", "photo"):
        if not default_storage.exists(therapist.photo):
            image = _initials_image(therapist.first_name[:1] + therapist.last_name[:1], therapist.photo)
            photos.store_as(image, photos.HEADSHOT, therapist.photo)
            drawn += 1
    for clinic_photo in ClinicPhoto.objects.filter(photo__contains=f"/{DEMO_PHOTO_PREFIX}"):
        if not default_storage.exists(clinic_photo.photo):
            photos.store_as(_pattern_image(clinic_photo.photo), photos.CLINIC_PHOTO, clinic_photo.photo)
            drawn += 1
    return drawn


# Soft backgrounds with dark ink that reads on them (WCAG AA for large text).
PALETTE = [
    ("#dbe7f4", "#084582"),
    ("#e3f1e6", "#1c5b30"),
    ("#f6e7d8", "#7a3e0c"),
    ("#ece4f4", "#4b2a7b"),
    ("#f4e0e6", "#7d1f3e"),
    ("#e0f0f1", "#0f5558"),
]


def _initials_image(initials: str, seed_text: str):
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed_text)
    background, ink = rng.choice(PALETTE)
    image = Image.new("RGB", (320, 320), background)
    draw = ImageDraw.Draw(image)
    for _ in range(3):  # soft circles: plainly a drawing, not a person
        x, y, r = rng.randint(0, 320), rng.randint(0, 320), rng.randint(60, 140)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=ink, width=2)
    font = ImageFont.load_default(size=120)
    draw.text((160, 165), initials.upper(), fill=ink, font=font, anchor="mm")
    return image


def _pattern_image(seed_text: str):
    from PIL import Image, ImageDraw

    rng = random.Random(seed_text)
    background, ink = rng.choice(PALETTE)
    image = Image.new("RGB", (960, 720), background)
    draw = ImageDraw.Draw(image)
    for step in range(-720, 960, 80):  # diagonal bands
        draw.line((step, 720, step + 720, 0), fill=ink, width=rng.choice([2, 4, 10]))
    for _ in range(6):
        x, y, r = rng.randint(0, 960), rng.randint(0, 720), rng.randint(40, 160)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=background, outline=ink, width=3)
    return image


# A listing of winnipeg-manager's that nobody confirmed for well over a year: out of search,
# its profile says so, and it is back once the clinic confirms it.
STALE_CLINIC = "corydon-massage-therapy"


def _one_stale_listing(therapists: list[dict], today: datetime.date) -> None:
    for therapist in therapists:
        fields = therapist["fields"]
        if fields["is_published"] and any(loc[0] == STALE_CLINIC for loc in fields["locations"]):
            fields["last_verified"] = (today - datetime.timedelta(days=500)).isoformat()
            return


# A few therapists keep their own days at their first location (mornings three days a
# week, or two afternoons into the evening and a Saturday), so the demo shows them on
# cards, profiles and the hours filters.
OWN_DAYS_PATTERNS = [
    [((0, 2, 4), "09:00", "13:00")],
    [((1, 3), "14:00", "20:00"), ((5,), "09:00", "15:00")],
]


def _own_days(seed: int, therapists: list[dict]) -> list[dict]:
    """Drawn from their own sequence, so the rest of the demo data stays what it was."""
    rng = random.Random(seed + 2)
    rows = []
    for therapist in therapists:
        fields = therapist["fields"]
        if not fields["is_published"] or rng.random() >= 0.25:
            continue
        for weekdays, opens, closes in rng.choice(OWN_DAYS_PATTERNS):
            rows += [
                {
                    "model": "therapists.therapisthours",
                    "fields": {
                        "therapist": [fields["slug"]],
                        "location": fields["locations"][0],
                        "weekday": weekday,
                        "opens": f"{opens}:00",
                        "closes": f"{closes}:00",
                    },
                }
                for weekday in weekdays
            ]
    return rows


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
            "regulator": REGULATORS[discipline, city.province].name,
            "registered_with": [city.province, discipline, REGULATORS[discipline, city.province].name],
            "registration_province": city.province,
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


def create_demo_workspace() -> None:
    """Consult requests and a report for winnipeg-manager's morning, dated from now (the
    overdue rule reads the clock): two new requests, one of them overdue, one contacted."""
    from django.utils import timezone

    from therapists import leads, reports
    from therapists.models import Clinic, ConsultRequest, ConsultStatus, OutdatedReport

    clinic = Clinic.objects.filter(slug="forks-physiotherapy-sport-clinic").first()
    if clinic is None or ConsultRequest.objects.filter(clinic=clinic).exists():
        return
    location = clinic.locations.order_by("id").first()
    therapist = location.therapists.filter(is_published=True).order_by("id").first() if location else None
    now = timezone.now()
    people = [
        ("Jordan Demo", "+12045550142", "jordan.demo@example.com", datetime.timedelta(hours=2), "new"),
        ("Sam Example", "+12045550177", "sam.example@example.com", datetime.timedelta(days=8), "new"),
        ("Riley Sample", "+12045550190", "riley.sample@example.com", datetime.timedelta(days=3), "contacted"),
    ]
    for name, phone, email, age, status in people:
        consult = ConsultRequest.objects.create(
            clinic=clinic,
            location=location,
            therapist=therapist,
            name=name,
            email=email,
            phone=phone,
            meeting="phone",
            preferred_times="Weekday mornings",
            status=ConsultStatus(status),
            consent_at=now - age,
            consent_version=leads.CONSENT_VERSION,
            consent_text=leads.consent_text(clinic, therapist),
            notified_at=now - age,
        )
        ConsultRequest.objects.filter(pk=consult.pk).update(created_at=now - age)
    if not OutdatedReport.objects.filter(clinic=clinic).exists():
        reports.submit(
            clinic=clinic,
            therapist=therapist,
            wrong=["hours"],
            note="The clinic now opens at 8 am on Saturdays.",
            email="",
        )
