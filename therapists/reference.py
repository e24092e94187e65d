"""Reference data every installation starts with (loaded by migration 0002).

Clinics and the site operator can add more in the admin; these slugs are part of
search URLs (`discipline=massage`, `area=back`), so they are kept stable.
"""

DISCIPLINES = [
    # slug, name, practitioner title, abbreviation, description
    (
        "massage",
        "Massage therapy",
        "Registered massage therapist",
        "RMT",
        "Hands-on treatment of muscles and soft tissue for pain, tension and injury.",
    ),
    (
        "physiotherapy",
        "Physiotherapy",
        "Physiotherapist",
        "PT",
        "Assessment, exercise and manual therapy to restore movement after injury or surgery.",
    ),
    (
        "chiropractic",
        "Chiropractic",
        "Chiropractor",
        "DC",
        "Assessment and treatment of the spine, joints and nervous system.",
    ),
]

BODY_AREAS = ["back", "neck", "shoulder", "knee", "elbow", "hip", "wrist", "foot"]

SPECIALTIES = {
    # name: body areas it helps
    "Acupuncture": ["back", "neck", "shoulder", "knee"],
    "Arthritis care": ["knee", "hip", "wrist", "foot"],
    "Carpal tunnel syndrome": ["wrist", "elbow"],
    "Concussion management": ["neck"],
    "Deep tissue massage": ["back", "neck", "shoulder", "hip"],
    "Dry needling": ["back", "neck", "shoulder", "hip", "knee"],
    "Frozen shoulder": ["shoulder"],
    "Headaches and migraines": ["neck"],
    "Hot stone massage": ["back"],
    "Low back pain": ["back"],
    "Lymphatic drainage": [],
    "Myofascial release": ["back", "neck", "shoulder"],
    "Orthotics and gait analysis": ["foot", "knee", "hip"],
    "Pelvic health": ["hip", "back"],
    "Plantar fasciitis": ["foot"],
    "Post-surgical rehab": ["knee", "shoulder", "hip", "wrist", "elbow", "foot"],
    "Prenatal massage": ["back", "hip"],
    "Running injuries": ["knee", "foot", "hip"],
    "Sciatica": ["back", "hip"],
    "Spinal manipulation": ["back", "neck"],
    "Sports injuries": ["knee", "shoulder", "elbow", "hip", "foot"],
    "Tennis and golfer's elbow": ["elbow"],
    "TMJ dysfunction": ["neck"],
    "Vestibular rehabilitation": ["neck"],
    "Whiplash and motor vehicle injuries": ["neck", "back"],
}

LANGUAGES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian (Farsi)",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ko": "Korean",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "tl": "Tagalog",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "yue": "Cantonese",
    "zh": "Mandarin",
}

# Who pays besides the patient (Payer rows): slugs are the `insurer` search parameter.
INSURERS = [
    "Beneva",
    "Blue Cross",
    "Canada Life",
    "ClaimSecure",
    "Desjardins",
    "Green Shield",
    "GroupHEALTH",
    "Johnson",
    "Manulife",
    "Pacific Blue Cross",
    "Sun Life",
]
PROGRAMMES = [
    "ICBC",
    "MPI",
    "Non-Insured Health Benefits",
    "SGI",
    "Veterans Affairs",
    "WCB",
    "WSIB",
]

# What clinics may declare about a therapist (Tag rows), in the patient's list order:
# slugs are the `tag` search parameter.
TAGS = [
    "LGBTQ2S+-affirming",
    "Trauma-informed",
    "Prenatal and postpartum",
    "Paediatric",
    "Seniors",
    "Evening appointments",
    "Weekend appointments",
    "Home visits",
]
# The tags' French names (Québec usage), by slug: filled into Tag.name_fr by migration
# 0019. Kept apart from FRENCH because migration 0016, which fills FRENCH, runs before
# tags can be translated.
FRENCH_TAGS = {
    "lgbtq2s-affirming": "Inclusif envers les personnes LGBTQ2S+",
    "trauma-informed": "Approche tenant compte des traumatismes",
    "prenatal-and-postpartum": "Prénatal et postnatal",
    "paediatric": "Pédiatrie",
    "seniors": "Aînés",
    "evening-appointments": "Rendez-vous en soirée",
    "weekend-appointments": "Rendez-vous la fin de semaine",
    "home-visits": "Visites à domicile",
}
# The French names of the reference data above (Québec usage), by model and slug (or
# language code); filled into the `*_fr` columns (therapists.translation) by migration.
FRENCH = {
    "discipline": {
        "massage": {
            "name": "Massothérapie",
            "practitioner_title": "Massothérapeute",
            "description": "Traitement manuel des muscles et des tissus mous contre la douleur, "
            "les tensions et les blessures.",
        },
        "physiotherapy": {
            "name": "Physiothérapie",
            "practitioner_title": "Physiothérapeute",
            "description": "Évaluation, exercices et thérapie manuelle pour retrouver le mouvement "
            "après une blessure ou une opération.",
        },
        "chiropractic": {
            "name": "Chiropratique",
            "practitioner_title": "Chiropraticien(ne)",
            "description": "Évaluation et traitement de la colonne vertébrale, des articulations "
            "et du système nerveux.",
        },
    },
    "bodyarea": {
        "back": "Dos",
        "neck": "Cou",
        "shoulder": "Épaule",
        "knee": "Genou",
        "elbow": "Coude",
        "hip": "Hanche",
        "wrist": "Poignet",
        "foot": "Pied",
    },
    "specialty": {
        "acupuncture": "Acupuncture",
        "arthritis-care": "Soins de l'arthrite",
        "carpal-tunnel-syndrome": "Syndrome du canal carpien",
        "concussion-management": "Prise en charge des commotions cérébrales",
        "deep-tissue-massage": "Massage des tissus profonds",
        "dry-needling": "Puncture sèche",
        "frozen-shoulder": "Capsulite de l'épaule (épaule gelée)",
        "headaches-and-migraines": "Maux de tête et migraines",
        "hot-stone-massage": "Massage aux pierres chaudes",
        "low-back-pain": "Douleur lombaire",
        "lymphatic-drainage": "Drainage lymphatique",
        "myofascial-release": "Relâchement myofascial",
        "orthotics-and-gait-analysis": "Orthèses et analyse de la démarche",
        "pelvic-health": "Santé pelvienne",
        "plantar-fasciitis": "Fasciite plantaire",
        "post-surgical-rehab": "Réadaptation après une chirurgie",
        "prenatal-massage": "Massage prénatal",
        "running-injuries": "Blessures de course à pied",
        "sciatica": "Sciatique",
        "spinal-manipulation": "Manipulation vertébrale",
        "sports-injuries": "Blessures sportives",
        "tennis-and-golfers-elbow": "Épicondylite (coude du joueur de tennis ou de golf)",
        "tmj-dysfunction": "Troubles de l'articulation temporo-mandibulaire (ATM)",
        "vestibular-rehabilitation": "Réadaptation vestibulaire",
        "whiplash-and-motor-vehicle-injuries": "Coup de fouet cervical et blessures de la route",
    },
    "language": {
        "ar": "Arabe",
        "de": "Allemand",
        "en": "Anglais",
        "es": "Espagnol",
        "fa": "Persan (farsi)",
        "fr": "Français",
        "hi": "Hindi",
        "it": "Italien",
        "ko": "Coréen",
        "pa": "Pendjabi",
        "pl": "Polonais",
        "pt": "Portugais",
        "tl": "Tagalog",
        "uk": "Ukrainien",
        "vi": "Vietnamien",
        "yue": "Cantonais",
        "zh": "Mandarin",
    },
    "payer": {
        "blue-cross": "Croix Bleue",
        "pacific-blue-cross": "Croix Bleue du Pacifique",
        "canada-life": "Canada Vie",
        "sun-life": "Sun Life",
        "non-insured-health-benefits": "Services de santé non assurés",
        "veterans-affairs": "Anciens Combattants Canada",
    },
}
