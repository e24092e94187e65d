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
