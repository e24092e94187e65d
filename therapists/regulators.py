"""Who registers each profession, by province: the reference table of regulators.

Kept here as data so that the migration that seeds the table, the demo data and the
tests read one list. Written from what we knew in late 2026, offline; the register
URLs point to each body's site (its register search where we knew the address).
Check them against the bodies' own sites before relying on them, and keep this list
current when a body merges or renames (BC merged its colleges in June 2024).
"""

from typing import NamedTuple


class Body(NamedTuple):
    province: str
    discipline: str  # Discipline slug
    name: str
    abbreviation: str
    kind: str  # RegulatorKind value: "college" (regulates by law) or "association"
    register_url: str
    # Other names clinics typed for the same body (before a merger or rename), lower case.
    aliases: tuple[str, ...] = ()


COLLEGE, ASSOCIATION = "college", "association"

BODIES = [
    # British Columbia: since June 2024 the College of Complementary Health Professionals of BC
    # regulates massage therapists and chiropractors (formerly CMTBC and CCBC); physical
    # therapists moved to the College of Health and Care Professionals of BC.
    Body(
        "BC", "massage", "College of Complementary Health Professionals of BC", "CCHPBC", COLLEGE,
        "https://cchpbc.ca/", ("college of massage therapists of british columbia", "cmtbc"),
    ),
    Body(
        "BC", "chiropractic", "College of Complementary Health Professionals of BC", "CCHPBC", COLLEGE,
        "https://cchpbc.ca/", ("college of chiropractors of british columbia", "ccbc"),
    ),
    Body(
        "BC", "physiotherapy", "College of Health and Care Professionals of BC", "CHCPBC", COLLEGE,
        "https://chcpbc.org/", ("college of physical therapists of british columbia",),
    ),
    # Manitoba: massage therapy is not regulated; "RMT" means a member of an association.
    Body(
        "MB", "massage", "Massage Therapy Association of Manitoba", "MTAM", ASSOCIATION,
        "https://www.mtam.mb.ca/",
    ),
    Body(
        "MB", "physiotherapy", "College of Physiotherapists of Manitoba", "CPM", COLLEGE,
        "https://www.manitobaphysio.com/",
    ),
    # The Manitoba Chiropractors Association is the regulator under The Chiropractic Act,
    # despite its name.
    Body(
        "MB", "chiropractic", "Manitoba Chiropractors Association", "MCA", COLLEGE,
        "https://www.mbchiro.org/",
    ),
    Body(
        "ON", "massage", "College of Massage Therapists of Ontario", "CMTO", COLLEGE,
        "https://www.cmto.com/",
    ),
    Body(
        "ON", "physiotherapy", "College of Physiotherapists of Ontario", "CPO", COLLEGE,
        "https://www.collegept.org/",
    ),
    Body(
        "ON", "chiropractic", "College of Chiropractors of Ontario", "CCO", COLLEGE,
        "https://www.cco.on.ca/",
    ),
    # Alberta: massage therapy was being brought under the Health Professions Act with a
    # College of Massage Therapists of Alberta; we could not confirm offline whether its
    # regulation is in force, so the association most Alberta RMTs belong to is listed.
    # Check and replace with the college once it registers massage therapists.
    Body(
        "AB", "massage", "Massage Therapist Association of Alberta", "MTAA", ASSOCIATION,
        "https://www.mtaalberta.com/",
    ),
    Body(
        "AB", "physiotherapy", "Physiotherapy Alberta College + Association", "PAC+A", COLLEGE,
        "https://www.physiotherapyalberta.ca/", ("physiotherapy alberta",),
    ),
    # Formerly the Alberta College and Association of Chiropractors (ACAC).
    Body(
        "AB", "chiropractic", "College of Chiropractors of Alberta", "CCOA", COLLEGE,
        "https://albertachiro.com/",
        ("alberta college and association of chiropractors", "acac"),
    ),
    # Quebec: massage therapy is not a regulated profession.
    Body(
        "QC", "massage", "Fédération québécoise des massothérapeutes", "FQM", ASSOCIATION,
        "https://www.fqm.qc.ca/",
    ),
    Body(
        "QC", "physiotherapy", "Ordre professionnel de la physiothérapie du Québec", "OPPQ", COLLEGE,
        "https://oppq.qc.ca/",
    ),
    Body(
        "QC", "chiropractic", "Ordre des chiropraticiens du Québec", "OCQ", COLLEGE,
        "https://www.ordredeschiropraticiens.qc.ca/",
    ),
    # Nova Scotia and Saskatchewan: massage therapy is not regulated; associations.
    Body(
        "NS", "massage", "Massage Therapists' Association of Nova Scotia", "MTANS", ASSOCIATION,
        "https://www.mtans.ca/",
    ),
    Body(
        "NS", "physiotherapy", "Nova Scotia College of Physiotherapists", "NSCP", COLLEGE,
        "https://nsphysio.com/",
    ),
    Body(
        "NS", "chiropractic", "Nova Scotia College of Chiropractors", "NSCC", COLLEGE,
        "https://nschiropractic.ca/",
    ),
    Body(
        "SK", "massage", "Massage Therapist Association of Saskatchewan", "MTAS", ASSOCIATION,
        "https://www.saskmassagetherapy.com/",
    ),
    Body(
        "SK", "physiotherapy", "Saskatchewan College of Physical Therapists", "SCPT", COLLEGE,
        "https://www.scpt.org/",
    ),
    # The regulator under The Chiropractic Act, 1994, despite its name.
    Body(
        "SK", "chiropractic", "Chiropractors' Association of Saskatchewan", "CAS", COLLEGE,
        "https://saskchiropractic.ca/",
    ),
]  # fmt: skip


def body_for(province: str, discipline: str, text: str) -> Body | None:
    """The body a free-text regulator (as clinics typed it) names, for a therapist of this
    discipline in this province: by name, abbreviation or former name, else None."""
    wanted = " ".join(text.lower().split())
    if not wanted:
        return None
    for body in BODIES:
        if body.discipline != discipline:
            continue
        names = {body.name.lower(), body.abbreviation.lower(), *body.aliases}
        if wanted in names and (not province or body.province == province):
            return body
    # "College of Health and Care Professionals of BC" typed for a BC massage therapist
    # (the wrong merged college): the province's body for the discipline still applies.
    if "of bc" in wanted or "british columbia" in wanted:
        return next((b for b in BODIES if b.province == "BC" and b.discipline == discipline), None)
    return None
