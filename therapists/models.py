import datetime
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Cos, Power, Radians, Sin, Sqrt
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from therapists import geo


class Province(models.TextChoices):
    AB = "AB", _("Alberta")
    BC = "BC", _("British Columbia")
    MB = "MB", _("Manitoba")
    NB = "NB", _("New Brunswick")
    NL = "NL", _("Newfoundland and Labrador")
    NS = "NS", _("Nova Scotia")
    NT = "NT", _("Northwest Territories")
    NU = "NU", _("Nunavut")
    ON = "ON", _("Ontario")
    PE = "PE", _("Prince Edward Island")
    QC = "QC", _("Quebec")
    SK = "SK", _("Saskatchewan")
    YT = "YT", _("Yukon")


def coordinate_constraints(prefix: str) -> list[models.CheckConstraint]:
    """Latitude in [-90, 90] and longitude in [-180, 180], in degrees."""
    return [
        models.CheckConstraint(
            condition=Q(latitude__gte=-90) & Q(latitude__lte=90),
            name=f"{prefix}_latitude_range",
        ),
        models.CheckConstraint(
            condition=Q(longitude__gte=-180) & Q(longitude__lte=180),
            name=f"{prefix}_longitude_range",
        ),
    ]


class SlugManager(models.Manager):
    """Natural keys by slug, so fixtures load twice without duplicates."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Discipline(models.Model):
    """A regulated profession: massage therapy, physiotherapy, chiropractic."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    practitioner_title = models.CharField(
        max_length=80, help_text="What a patient calls the practitioner, e.g. Registered massage therapist."
    )
    abbreviation = models.CharField(max_length=12, blank=True, help_text="e.g. RMT")
    description = models.TextField(blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class BodyArea(models.Model):
    """The list a patient picks "what hurts" from: back, neck, shoulder..."""

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the patient's list.")

    objects = SlugManager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Specialty(models.Model):
    """A technique or condition a therapist treats, tied to the body areas it helps."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    body_areas = models.ManyToManyField(BodyArea, related_name="specialties", blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class LanguageManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Language(models.Model):
    """A language a therapist treats in, by ISO 639-1 code."""

    code = models.CharField(max_length=8, unique=True, help_text="ISO 639-1 code, e.g. fr.")
    name = models.CharField(max_length=60, unique=True)

    objects = LanguageManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


# Line breaks, tabs and other control characters, and the invisible marks that reverse
# text direction: never part of a name or an address, and a newline in a name would
# end up in an email header or a CSV row.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
CONTROL_CHARACTERS = _("Remove the line breaks, tabs or other invisible control characters.")


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS for char in text or "")


def refuse_control_characters(instance: models.Model, *names: str) -> None:
    """Model.clean() for one-line text fields: an error on each field that holds one."""
    errors = {name: CONTROL_CHARACTERS for name in names if has_control_characters(getattr(instance, name))}
    if errors:
        raise ValidationError(errors)


class Clinic(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    payers = models.ManyToManyField(
        "Payer",
        related_name="clinics",
        blank=True,
        help_text="The insurers it bills directly and the public or third-party programmes it accepts.",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_clinics",
        blank=True,
        help_text="Staff users who keep this clinic's listings up to date.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("therapists:clinic-detail", args=[self.slug])

    def clean(self):
        refuse_control_characters(self, "name", "phone")

    def natural_key(self):
        return (self.slug,)

    @property
    def all_payers(self) -> list["Payer"]:
        """The insurers it bills directly and the programmes it accepts, in list order: those a
        results page set on it (`listed_payers`, from the reference data), else `payers`
        (prefetch it for many clinics)."""
        listed = getattr(self, "listed_payers", None)
        return list(self.payers.all()) if listed is None else listed

    @property
    def direct_billing(self) -> bool:
        """Bills at least one insurer directly (see `all_payers`)."""
        return any(payer.kind == PayerKind.INSURER for payer in self.all_payers)


class PayerKind(models.TextChoices):
    INSURER = "insurer", _("Extended health insurer")
    PROGRAMME = "programme", _("Public or third-party programme")


class Payer(models.Model):
    """Who pays for a visit besides the patient: an extended health insurer a clinic
    bills directly, or a public or third-party programme it accepts (ICBC, WSIB...)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=PayerKind.choices)

    objects = SlugManager()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


def ecef_expressions() -> dict[str, models.Func]:
    """SQL for `geo.ecef_km` over a row's `latitude` and `longitude` columns: x, y, z in km
    (for a `GeneratedField`: locations, and the online bookings that copy their coordinates)."""
    lat, lng = Radians(F("latitude")), Radians(F("longitude"))
    n = geo.WGS84_A_KM / Sqrt(1 - geo.WGS84_E2 * Power(Sin(lat), 2))
    return {
        "x": n * Cos(lat) * Cos(lng),
        "y": n * Cos(lat) * Sin(lng),
        "z": n * (1 - geo.WGS84_E2) * Sin(lat),
    }


_ECEF = ecef_expressions()


def in_box(box: geo.Box) -> Q:
    """Rows whose `latitude` and `longitude` columns are inside a bounding box (either
    side of the antimeridian): range conditions an index on them answers."""
    longitudes = Q()
    for west, east in box.longitudes:
        longitudes |= Q(longitude__gte=west, longitude__lte=east)
    return longitudes & Q(latitude__gte=box.south, latitude__lte=box.north)


class LocationQuerySet(models.QuerySet):
    def wheelchair_accessible(self):
        """Locations with wheelchair access."""
        return self.filter(wheelchair_accessible=True)

    def direct_billing(self):
        """Locations of clinics that bill at least one insurer directly."""
        return self.filter(
            Exists(
                Clinic.payers.through.objects.filter(clinic=OuterRef("clinic"), payer__kind=PayerKind.INSURER)
            )
        )

    def paid_by(self, payers: Iterable["Payer"]):
        """Locations of clinics that bill any of these insurers directly or accept any of these programmes."""
        return self.filter(
            Exists(
                Clinic.payers.through.objects.filter(
                    clinic=OuterRef("clinic"), payer__in=[payer.pk for payer in payers]
                )
            )
        )

    def in_box(self, box: geo.Box):
        """Locations inside a bounding box: index range scans on latitude and longitude."""
        return self.filter(in_box(box))

    def per_therapist(self):
        """One row per location and therapist practising there, the therapist's id as
        `practitioner`. Conditions on the pair (the therapist's own hours there, see
        `hours.open_at`) and the ranking read this one join, so they agree on who.

        An inner join (a location nobody practises at has no row): a left join would
        keep SQLite from starting at the therapists' rows when a query names them."""
        if "practitioner" in self.query.annotations:
            return self  # already one row per pair: a second join would pair them again
        return self.filter(therapists__isnull=False).alias(practitioner=F("therapists"))

    def within(self, origin: geo.Point, radius_km: float):
        """Locations within `radius_km` (great-circle, km) of `origin`, found through the box index."""
        chord = geo.chord_for_distance_km(radius_km)
        return (
            self.in_box(geo.bounding_box(origin, radius_km))
            .annotate(chord_sq=ChordSquared(origin))
            .filter(chord_sq__lte=chord * chord)
        )


class ChordSquared(models.Func):
    """The squared straight-line distance (km²) from `origin` to a location row.

    Only arithmetic on the stored ECEF columns, so it is cheap per row on SQLite
    and PostgreSQL alike, and orders rows exactly as their geodesic distance does
    (see `geo.ecef_km`). Written out as one expression, the SQL is
    `(x - x0) * (x - x0) + (y - y0) * (y - y0) + (z - z0) * (z - z0)`, evaluated
    left to right in double precision like the same sum in Python.
    """

    output_field = models.FloatField()

    def __init__(self, origin: geo.Point):
        self.origin_ecef = geo.ecef_km(origin)
        super().__init__(F("ecef_x"), F("ecef_y"), F("ecef_z"))

    def as_sql(self, compiler, connection, **extra_context):
        terms, params = [], []
        for column, origin in zip(self.get_source_expressions(), self.origin_ecef, strict=True):
            sql, column_params = compiler.compile(column)
            terms.append(f"({sql} - %s) * ({sql} - %s)")
            params += [*column_params, origin, *column_params, origin]
        return "(" + " + ".join(terms) + ")", params


class LocationManager(models.Manager.from_queryset(LocationQuerySet)):
    def get_by_natural_key(self, clinic_slug, name):
        return self.get(clinic__slug=clinic_slug, name=name)


class Location(models.Model):
    """One street address of a clinic; therapists practise at one or more."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=80, help_text="Tells a clinic's locations apart, e.g. Downtown.")
    street = models.CharField(max_length=160)
    city = models.CharField(max_length=80)
    province = models.CharField(max_length=2, choices=Province.choices)
    postal_code = models.CharField(max_length=7, help_text="e.g. R3C 4T3")
    phone = models.CharField(max_length=32, blank=True)
    # Degrees, WGS 84. Indexed together for bounding-box searches.
    latitude = models.FloatField()
    longitude = models.FloatField()
    # Earth-centred Cartesian coordinates (km), computed by the database from the
    # latitude and longitude on every write (admin, fixtures, bulk and raw updates
    # alike), so distance ranking needs only arithmetic. See geo.ecef_km.
    ecef_x = models.GeneratedField(expression=_ECEF["x"], output_field=models.FloatField(), db_persist=True)
    ecef_y = models.GeneratedField(expression=_ECEF["y"], output_field=models.FloatField(), db_persist=True)
    ecef_z = models.GeneratedField(expression=_ECEF["z"], output_field=models.FloatField(), db_persist=True)
    wheelchair_accessible = models.BooleanField(default=False)
    # The IANA zone its hours are kept in, from its coordinates (geo.time_zone_at) on every save.
    time_zone = models.CharField(
        max_length=40, choices=[(zone, zone) for zone in geo.CANADIAN_TIME_ZONES], editable=False, default=""
    )
    closed_until = models.DateField(
        _("temporarily closed until"),
        null=True,
        blank=True,
        help_text=_("The day it opens again. Leave empty when it is open as usual."),
    )
    closed_reason = models.CharField(
        _("why it is closed"), max_length=80, blank=True, help_text=_("A few words, e.g. Renovations.")
    )

    objects = LocationManager()

    class Meta:
        ordering = ["clinic__name", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="location_unique_name_per_clinic"),
            *coordinate_constraints("location"),
        ]
        indexes = [
            # Bounding-box searches scan a latitude band of this index and test the
            # longitude and the exact distance (chord) without reading table rows.
            models.Index(fields=["latitude", "longitude", "ecef_x", "ecef_y", "ecef_z"], name="location_box"),
            models.Index(fields=["city", "province"], name="location_city"),
        ]

    def __str__(self):
        return f"{self.clinic.name} – {self.name}"

    def save(self, *args, **kwargs):
        # Derived from the coordinates like the ECEF columns, so it can never disagree with them.
        self.time_zone = geo.time_zone_at(self.point, self.province)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "time_zone"}
        super().save(*args, **kwargs)

    def clean(self):
        refuse_control_characters(self, "name", "street", "city", "postal_code", "phone", "closed_reason")

    def natural_key(self):
        return (*self.clinic.natural_key(), self.name)

    natural_key.dependencies = ["therapists.clinic"]

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city}, {self.province} {self.postal_code}"

    @property
    def point(self) -> geo.Point:
        return geo.Point(self.latitude, self.longitude)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHoursManager(models.Manager):
    def get_by_natural_key(self, clinic_slug, location_name, weekday, opens):
        return self.get(
            location__clinic__slug=clinic_slug, location__name=location_name, weekday=weekday, opens=opens
        )


class OpeningHours(models.Model):
    """One opening period of a location on one weekday; a day may have several."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    objects = OpeningHoursManager()

    class Meta:
        ordering = ["location", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(
                fields=["location", "weekday", "opens"], name="opening_hours_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="opening_hours_closes_after_opens"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_range"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def natural_key(self):
        return (*self.location.natural_key(), self.weekday, self.opens.isoformat())

    natural_key.dependencies = ["therapists.location"]


class Closure(models.Model):
    """Days a location is closed, first to last inclusive ("closed 24 Dec to 2 Jan")."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField(_("closed from"))
    last_day = models.DateField(_("closed to"), help_text=_("The last day it is closed."))
    reason = models.CharField(_("reason"), max_length=80, blank=True, help_text=_("e.g. Holidays."))

    class Meta:
        ordering = ["location", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="closure_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["location", "last_day", "first_day"], name="closure_days")]

    def __str__(self):
        return f"Closed {self.first_day:%Y-%m-%d} to {self.last_day:%Y-%m-%d}"

    def clean(self):
        refuse_control_characters(self, "reason")


class SpecialHours(models.Model):
    """Hours for one date that replace the week's (a late night, or opening on a holiday)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="special_hours")
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["location", "date", "opens"]
        verbose_name_plural = "special hours"
        constraints = [
            models.UniqueConstraint(fields=["location", "date", "opens"], name="special_hours_unique_start"),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="special_hours_closes_after_opens"
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.opens:%H:%M}–{self.closes:%H:%M}"


class TherapistHoursManager(models.Manager):
    def get_by_natural_key(self, therapist_slug, clinic_slug, location_name, weekday, opens):
        return self.get(
            therapist__slug=therapist_slug,
            location__clinic__slug=clinic_slug,
            location__name=location_name,
            weekday=weekday,
            opens=opens,
        )


class TherapistHours(models.Model):
    """When one therapist works at one location. A therapist with none there works
    whenever the location is open."""

    therapist = models.ForeignKey("Therapist", on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="therapist_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("from"))
    closes = models.TimeField(_("to"))

    # Natural keys let the demo fixture load again without adding the same hours twice.
    objects = TherapistHoursManager()

    class Meta:
        ordering = ["therapist", "location", "weekday", "opens"]
        verbose_name_plural = "therapist hours"
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "location", "weekday", "opens"], name="therapist_hours_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="therapist_hours_closes_after_opens"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="therapist_hours_weekday_range"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def natural_key(self):
        return (self.therapist.slug, *self.location.natural_key(), self.weekday, self.opens.isoformat())

    natural_key.dependencies = ["therapists.therapist", "therapists.location"]


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non-binary", _("Non-binary")


class NewPatients(models.TextChoices):
    ACCEPTING = "accepting", _("Accepting new patients")
    WAITLIST = "waitlist", _("Waitlist for new patients")
    EXISTING = "existing", _("Existing patients only")
    NOT_ACCEPTING = "not-accepting", _("Not accepting new patients")


MAX_SEARCH_WORDS = 8
MAX_SEARCH_WORD_LENGTH = 40
# Nearest-first search for NEAREST_START_COUNT therapists starts with a circle
# NEAREST_START_KM wide (wider for more) and grows it at most NEAREST_MAX_GROWTH
# times per round. The densest city centres hold 20 therapists within a few
# hundred metres.
NEAREST_START_KM = 0.25
NEAREST_START_COUNT = 20
NEAREST_MAX_GROWTH = 8.0


# Each letter matches itself with any accent (French, and the other Latin accents names carry).
_ACCENTED = {
    "a": "aàáâãäå",
    "c": "cç",
    "e": "eèéêë",
    "i": "iìíîï",
    "n": "nñ",
    "o": "oòóôõö",
    "u": "uùúûü",
    "y": "yýÿ",
}


def accent_pattern(word: str) -> str:
    """A case-insensitive regular expression (`__iregex`, the same on SQLite and PostgreSQL)
    that finds `word` whatever its accents, and the stored text's: "Montreal" and
    "Montréal" both give "m[oòóôõöOÒÓÔÕÖ][nñNÑ]tr[eèéêëEÈÉÊË][aàáâãäåAÀÁÂÃÄÅ]l"."""
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch)
    ).casefold()
    # Upper case spelled out too: PostgreSQL's C collation folds the case of ASCII only.
    return "".join(
        f"[{_ACCENTED[ch]}{_ACCENTED[ch].upper()}]" if ch in _ACCENTED else re.escape(ch) for ch in folded
    )


def search_words(text: str) -> list[str]:
    """The words of a free-text search, de-duplicated, at most 8 of at most 40 characters."""
    words = (text or "").replace("\x00", "").split()
    unique = dict.fromkeys(word[:MAX_SEARCH_WORD_LENGTH] for word in words)
    return list(unique)[:MAX_SEARCH_WORDS]


def stale_before(today: datetime.date | None = None) -> datetime.date:
    """The first date a confirmation still counts on (LISTING_STALE_AFTER_DAYS before today)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.LISTING_STALE_AFTER_DAYS)


def _confirmed_since(today: datetime.date | None) -> Q:
    cutoff = stale_before(today)
    start = datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return Q(last_verified__gte=cutoff) | Q(last_verified__isnull=True, created_at__gte=start)


class TherapistQuerySet(models.QuerySet):
    def published(self):
        """Therapists patients may find: unpublished ones appear nowhere."""
        return self.filter(is_published=True)

    def stale(self, today: datetime.date | None = None):
        """Listings whose details were not confirmed within LISTING_STALE_AFTER_DAYS
        (one never confirmed counts from the day it was created)."""
        return self.exclude(_confirmed_since(today))

    def findable(self, today: datetime.date | None = None):
        """Published listings confirmed recently enough to be found by a search (the
        site's search and the API's): a stale one keeps its profile, marked as possibly
        out of date, but leaves search until the clinic confirms it."""
        return self.published().filter(_confirmed_since(today))

    def accepting_new_patients(self):
        """Therapists whose state is "accepting" (not a waitlist)."""
        return self.filter(new_patients=NewPatients.ACCEPTING)

    def of_gender(self, genders: Iterable[str]):
        """Therapists who gave one of these genders (Gender values)."""
        return self.filter(gender__in=list(genders))

    def priced_up_to(self, price):
        """Therapists with a fee of at most `price` (CAD): one of their own, or a clinic-wide
        fee of a clinic they practise at for a service of their discipline (`fee_applies`)."""

        def clinic_wide(kinds):
            return Exists(
                Fee.objects.filter(
                    price__lte=price,
                    kind__in=kinds,
                    therapist__isnull=True,
                    clinic__locations__therapists=OuterRef("pk"),
                )
            )

        condition = Exists(Fee.objects.filter(price__lte=price, therapist=OuterRef("pk")))
        condition |= clinic_wide([kind for kind in FeeKind.values if kind not in FEE_KIND_DISCIPLINES])
        for kind, discipline in FEE_KIND_DISCIPLINES.items():
            condition |= Q(discipline__slug=discipline) & clinic_wide([kind])
        return self.filter(condition)

    def offering_virtual_care(self):
        return self.filter(offers_virtual_care=True)

    def registered_in(self, province: str):
        """Therapists who may treat patients in `province` (a two-letter code).

        A therapist may treat only where a college has registered them, and they
        register in each province they practise in; we keep no registration field,
        so the provinces of their locations stand for it.
        """
        return self.filter(Exists(Location.objects.filter(therapists=OuterRef("pk"), province=province)))

    def in_disciplines(self, disciplines: Iterable["Discipline"]):
        """Therapists of any of these disciplines."""
        return self.filter(discipline__in=list(disciplines))

    def with_specialties(self, specialties: Iterable["Specialty"]):
        """Therapists with any of these specialties (each therapist once)."""
        has = Therapist.specialties.through.objects.filter(
            therapist=OuterRef("pk"), specialty__in=[specialty.pk for specialty in specialties]
        )
        return self.filter(Exists(has))

    def treating(self, areas: Iterable["BodyArea"]):
        """Therapists with a specialty that helps any of these body areas."""
        return self.filter(
            Exists(
                Specialty.objects.filter(
                    therapists=OuterRef("pk"), body_areas__in=[area.pk for area in areas]
                )
            )
        )

    def tagged(self, tags: Iterable["Tag"]):
        """Therapists the clinic declared any of these tags for."""
        has = Therapist.tags.through.objects.filter(
            therapist=OuterRef("pk"), tag__in=[tag.pk for tag in tags]
        )
        return self.filter(Exists(has))

    def speaking(self, languages: Iterable["Language"]):
        """Therapists who treat in any of these languages."""
        speaks = Therapist.languages.through.objects.filter(
            therapist=OuterRef("pk"), language__in=[language.pk for language in languages]
        )
        return self.filter(Exists(speaks))

    def matching(self, text: str):
        """Every word of `text` appears in the therapist's name, discipline, a specialty
        (in English or French) or the name of a clinic they practise at, ignoring case and
        accents: "Montreal" finds "Clinique Montréal", "therese" finds "Thérèse"."""
        queryset = self
        for word in search_words(text):
            pattern = accent_pattern(word)
            queryset = queryset.filter(
                Q(first_name__iregex=pattern)
                | Q(last_name__iregex=pattern)
                | Q(discipline__name_en__iregex=pattern)
                | Q(discipline__name_fr__iregex=pattern)
                | Exists(
                    Specialty.objects.filter(
                        Q(name_en__iregex=pattern) | Q(name_fr__iregex=pattern), therapists=OuterRef("pk")
                    )
                )
                | Exists(Clinic.objects.filter(locations__therapists=OuterRef("pk"), name__iregex=pattern))
            )
        return queryset

    def with_profile(self):
        """Everything a profile page shows, in a fixed number of queries."""
        return self.select_related("discipline", "registered_with").prefetch_related(
            "languages",
            "tags",
            "booking_links",
            "specialties__body_areas",
            models.Prefetch(
                "locations",
                queryset=Location.objects.select_related("clinic").prefetch_related(
                    "opening_hours", "clinic__payers"
                ),
            ),
        )

    def with_hours(self):
        """With `with_profile`: what "open now" needs (closures, special hours, own hours)."""
        return self.prefetch_related("locations__closures", "locations__special_hours", "working_hours")

    def practising_at(self, locations: "LocationQuerySet | None" = None):
        """Therapists with at least one of `locations` (default: any), ordered by name.

        Annotates `location_id`, the first such location (by id), to show with each row.
        """
        locations = Location.objects.all() if locations is None else locations
        first = locations.per_therapist().filter(practitioner=OuterRef("pk")).order_by("pk").values("pk")[:1]
        return (
            self.annotate(location_id=Subquery(first))
            .filter(location_id__isnull=False)
            .order_by("last_name", "first_name", "pk")
        )

    def ranked_within(self, origin: geo.Point, radius_km: float, locations: "LocationQuerySet | None" = None):
        """One row per therapist practising within `radius_km` of `origin`: `therapist_id`
        and `chord_sq`, the squared chord (km²) to their nearest location among
        `locations` (default: any). Nearest first, ties broken by therapist id.

        Reads only the locations inside the circle's bounding box (the `location_box`
        index); each candidate's therapist filters are checked by id.
        """
        locations = Location.objects.all() if locations is None else locations
        return (
            locations.per_therapist()
            .within(origin, radius_km)
            .filter(Exists(self.filter(pk=OuterRef("practitioner"))))
            .values(therapist_id=F("practitioner"))
            .annotate(nearest_chord_sq=Min("chord_sq"))
            .order_by("nearest_chord_sq", "therapist_id")
            .values_list("therapist_id", "nearest_chord_sq")
        )

    def nearest(
        self,
        origin: geo.Point,
        count: int,
        within_km: float,
        locations: "LocationQuerySet | None" = None,
        start_km: float = NEAREST_START_KM,
    ) -> list["Ranked"]:
        """The `count` therapists nearest `origin` within `within_km`, nearest first.

        Exactly what ranking every row would give (distance, then id), without
        reading every row: it searches a circle that starts at `start_km` and grows
        until it holds `count` therapists or reaches `within_km`. Rows inside a
        circle are final, because its bounding box holds everything nearer. Each
        round is one query; the radius at least doubles, so a search costs at most
        about a dozen queries however many therapists there are.
        """
        # The area to search grows with the number wanted.
        radius = min(start_km * math.sqrt(max(count, NEAREST_START_COUNT) / NEAREST_START_COUNT), within_km)
        while True:
            rows = [Ranked(*row) for row in self.ranked_within(origin, radius, locations)[:count]]
            if len(rows) >= count or radius >= within_km:
                return rows
            # Grow to the radius that should hold `count` at the density seen so far.
            growth = math.sqrt(count / len(rows)) * 1.25 if rows else NEAREST_MAX_GROWTH
            radius = min(within_km, radius * min(max(growth, 2.0), NEAREST_MAX_GROWTH))

    def by_name_within(
        self,
        origin: geo.Point,
        count: int,
        within_km: float,
        locations: "LocationQuerySet | None" = None,
    ) -> list["Ranked"]:
        """The first `count` therapists by name practising within `within_km` of `origin`,
        with the squared chord (km²) to their nearest location among `locations`."""
        locations = Location.objects.all() if locations is None else locations
        nearby = locations.per_therapist().within(origin, within_km)
        nearest = nearby.filter(practitioner=OuterRef("pk")).order_by("chord_sq")
        rows = (
            self.filter(pk__in=nearby.values(therapist=F("practitioner")))
            .annotate(chord_sq=Subquery(nearest.values("chord_sq")[:1]))
            .order_by("last_name", "first_name", "pk")
            .values_list("pk", "chord_sq")
        )
        return [Ranked(*row) for row in rows[:count]]


class Ranked(NamedTuple):
    """A therapist in distance order: id and squared chord (km²) to their nearest location."""

    therapist_id: int
    chord_sq: float


class Tag(models.Model):
    """Something a clinic declares about a therapist that patients filter on
    (LGBTQ2S+-affirming, trauma-informed, prenatal...). The operator keeps the list, so
    one tag means one thing on every listing; clinics pick from it."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order in the patient's list."))

    objects = SlugManager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Therapist(models.Model):
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=140, unique=True)
    discipline = models.ForeignKey(Discipline, on_delete=models.PROTECT, related_name="therapists")
    credentials = models.CharField(max_length=120, blank=True, help_text="e.g. RMT, BKin")
    regulator = models.CharField(
        max_length=160, blank=True, help_text="The regulatory college the therapist is registered with."
    )
    registration_number = models.CharField(max_length=40, blank=True)
    bio = models.TextField(blank=True)
    languages = models.ManyToManyField(Language, related_name="therapists", blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True, help_text="Optional.")
    pronouns = models.CharField(
        max_length=30, blank=True, help_text="Optional, shown as given, e.g. she/her, they/them."
    )
    specialties = models.ManyToManyField(Specialty, related_name="therapists", blank=True)
    tags = models.ManyToManyField(
        Tag,
        related_name="therapists",
        blank=True,
        verbose_name=_("tags"),
        help_text=_("What the clinic declares about this therapist; patients filter on these."),
    )
    # The stored name of the headshot's largest rendition (therapists.photos); empty: none.
    photo = models.CharField(_("photo"), max_length=100, blank=True, editable=False)
    photo_alt = models.CharField(
        _("photo description"),
        max_length=160,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it, e.g. Pat smiling in the clinic."),
    )
    locations = models.ManyToManyField(Location, related_name="therapists")
    new_patients = models.CharField(
        _("new patients"), max_length=13, choices=NewPatients.choices, default=NewPatients.ACCEPTING
    )
    new_patients_as_of = models.DateField(
        _("new patients as of"), null=True, blank=True, help_text="When the clinic last set the state above."
    )
    booking_url = models.URLField(
        _("booking link"),
        max_length=500,
        blank=True,
        help_text="The therapist's page on the clinic's online booking system (Jane or similar).",
    )
    offers_virtual_care = models.BooleanField(default=False)
    is_published = models.BooleanField(default=False, help_text="Only published therapists can be found.")
    # "Details confirmed": set by the clinic's explicit confirmation (the admin's list,
    # its bulk action, the reminder's link), never by an ordinary save or an import.
    last_verified = models.DateField(
        _("details confirmed"),
        null=True,
        blank=True,
        help_text=_("When the clinic last confirmed this listing is current."),
    )
    registered_with = models.ForeignKey(
        "Regulator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="therapists",
        verbose_name=_("regulator"),
        help_text=_("The college or association the registration number belongs to."),
    )
    registration_province = models.CharField(
        _("province of registration"), max_length=2, choices=Province.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SlugManager.from_queryset(TherapistQuerySet)()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["is_published", "discipline"], name="therapist_published_disc"),
            # Staleness (search leaves out listings unconfirmed for too long; the workspace counts them).
            models.Index(fields=["is_published", "last_verified"], name="therapist_confirmed"),
            # Listing by name (no place given, or sort=name) walks this instead of sorting every row.
            models.Index(fields=["last_name", "first_name", "id"], name="therapist_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("therapists:therapist-detail", args=[self.slug])

    def clean(self):
        refuse_control_characters(
            self, "first_name", "last_name", "credentials", "regulator", "registration_number", "photo_alt"
        )
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": PHOTO_ALT_REQUIRED})

    def natural_key(self):
        return (self.slug,)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def accepting_new_patients(self) -> bool:
        return self.new_patients == NewPatients.ACCEPTING

    @property
    def is_stale(self) -> bool:
        """Unconfirmed for longer than LISTING_STALE_AFTER_DAYS: out of search."""
        confirmed = self.last_verified or (self.created_at and timezone.localdate(self.created_at))
        return confirmed is not None and confirmed < stale_before()

    def booking_url_at(self, location: "Location") -> str:
        """Where to book online at `location`: its own link, else the therapist's; empty when
        none. Reads `booking_links` (prefetched by `with_profile`)."""
        own = next((link.url for link in self.booking_links.all() if link.location_id == location.pk), "")
        return own or self.booking_url


PHOTO_ALT_REQUIRED = _("Describe the photo for people who cannot see it.")


class ClinicPhotoManager(models.Manager):
    def get_by_natural_key(self, photo):
        return self.get(photo=photo)


class ClinicPhoto(models.Model):
    """A picture of a clinic (its rooms, its front door), shown on its page and profiles."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="photos")
    # The stored name of the largest rendition (therapists.photos); each file is one row's.
    photo = models.CharField(_("photo"), max_length=100, editable=False, unique=True)
    alt_text = models.CharField(
        _("photo description"),
        max_length=160,
        help_text=_("What the photo shows, for people who cannot see it, e.g. Treatment room with a window."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ClinicPhotoManager()

    class Meta:
        ordering = ["clinic", "position", "id"]
        verbose_name = _("clinic photo")

    def __str__(self):
        return self.alt_text

    def natural_key(self):
        return (self.photo,)

    def clean(self):
        refuse_control_characters(self, "alt_text")


class BookingLinkManager(models.Manager):
    def get_by_natural_key(self, therapist_slug, clinic_slug, location_name):
        return self.get(
            therapist__slug=therapist_slug, location__clinic__slug=clinic_slug, location__name=location_name
        )


class BookingLink(models.Model):
    """Where to book a therapist online at one location, when that clinic's booking
    system differs from the therapist's own link (`Therapist.booking_url`, the fallback)."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="booking_links")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="booking_links")
    url = models.URLField(
        _("booking link"),
        max_length=500,
        help_text=_("The therapist's page on this location's booking system."),
    )

    objects = BookingLinkManager()

    class Meta:
        ordering = ["therapist", "location"]
        verbose_name = _("booking link at a location")
        constraints = [
            models.UniqueConstraint(fields=["therapist", "location"], name="booking_link_unique_location"),
        ]

    def __str__(self):
        return self.url

    def natural_key(self):
        return (self.therapist.slug, *self.location.natural_key())

    natural_key.dependencies = ["therapists.therapist", "therapists.location"]


class FeeKind(models.TextChoices):
    ASSESSMENT = "assessment", _("Initial assessment")
    FOLLOW_UP = "follow-up", _("Follow-up treatment")
    MASSAGE = "massage", _("Massage")
    ADJUSTMENT = "adjustment", _("Adjustment")
    OTHER = "other", _("Other")


# Services only one discipline gives (kind: discipline slug): a clinic's massage price is
# not a chiropractor's, nor an adjustment a massage therapist's. Other kinds apply to all.
FEE_KIND_DISCIPLINES = {FeeKind.MASSAGE: "massage", FeeKind.ADJUSTMENT: "chiropractic"}


def fee_applies(kind: str, discipline_slug: str) -> bool:
    """True when a fee of `kind` is for a therapist of this discipline."""
    return FEE_KIND_DISCIPLINES.get(kind, discipline_slug) == discipline_slug


class FeeManager(models.Manager):
    def get_by_natural_key(self, clinic_slug, therapist_slug, kind, minutes, description):
        return self.get(
            clinic__slug=clinic_slug,
            therapist__slug=therapist_slug,
            kind=kind,
            minutes=minutes,
            description=description,
        )


class Fee(models.Model):
    """One line of a clinic's price list, shown up front because the colleges require
    fees to be disclosed. Without a therapist it is the clinic's price for everyone;
    with one, that therapist's own price (see `fees.fees_for`)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="fees")
    therapist = models.ForeignKey(
        Therapist,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fees",
        help_text="Empty: the clinic's price for every therapist.",
    )
    kind = models.CharField(_("service"), max_length=12, choices=FeeKind.choices)
    description = models.CharField(
        max_length=80, blank=True, help_text="Optional, shown after the service, e.g. hot stone."
    )
    minutes = models.PositiveSmallIntegerField(help_text="Length of the visit.")
    price = models.DecimalField(_("price (CAD)"), max_digits=7, decimal_places=2)
    taxable = models.BooleanField(default=False, help_text="GST/HST is added to the price.")

    objects = FeeManager()

    class Meta:
        ordering = ["clinic", "minutes", "price", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="fee_price_not_negative"),
            models.CheckConstraint(condition=Q(minutes__gte=5), name="fee_minutes_at_least_5"),
        ]
        indexes = [models.Index(fields=["clinic", "price"], name="fee_clinic_price")]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.minutes} min, ${self.price}"

    def natural_key(self):
        therapist = self.therapist.slug if self.therapist_id else None
        return (self.clinic.slug, therapist, self.kind, self.minutes, self.description)

    natural_key.dependencies = ["therapists.clinic", "therapists.therapist"]

    def clean(self):
        refuse_control_characters(self, "description")


class PlaceKind(models.TextChoices):
    CITY = "city", _("City or town")
    AREA = "area", _("Neighbourhood or borough")
    FSA = "fsa", _("Postal code area (FSA)")


class PlaceManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Place(models.Model):
    """The gazetteer: Canadian cities and towns, the neighbourhoods and boroughs of
    cities, and postal-code areas (FSAs). Other names people use for a place are
    `PlaceName` rows.

    Searches resolve a typed place here, never through a network geocoder.
    """

    code = models.CharField(
        max_length=80,
        unique=True,
        help_text="Stable key: geonames:<id> for a city, area:<province>:<city>:<name> (normalized) "
        "for a neighbourhood or borough, fsa:<FSA> for an FSA.",
    )
    kind = models.CharField(max_length=4, choices=PlaceKind.choices)
    name = models.CharField(max_length=120)
    # Case-folded, accent-free, punctuation-free form of the name (see gazetteer.normalize).
    search_name = models.CharField(max_length=120)
    province = models.CharField(max_length=2, choices=Province.choices)
    description = models.CharField(
        max_length=200,
        blank=True,
        help_text="For an FSA, the area it covers; for a neighbourhood or borough, its city.",
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveIntegerField(null=True, blank=True)

    objects = PlaceManager()

    class Meta:
        ordering = ["name", "province"]
        constraints = coordinate_constraints("place")
        indexes = [
            models.Index(fields=["search_name", "province"], name="place_search_name"),
        ]

    def __str__(self):
        # "St. Vital, Winnipeg, MB", but "Downtown Toronto, ON".
        if self.kind == PlaceKind.AREA and self.description.lower() not in self.name.lower():
            return f"{self.name}, {self.description}, {self.province}"
        return f"{self.name}, {self.province}"

    def natural_key(self):
        return (self.code,)

    @property
    def point(self) -> geo.Point:
        return geo.Point(self.latitude, self.longitude)


class PlaceNameManager(models.Manager):
    def get_by_natural_key(self, search_name, place_code):
        return self.get(search_name=search_name, place__code=place_code)


class PlaceName(models.Model):
    """Another name people type for a place: "Quebec City" and "Ville de Québec" for
    Québec, "Sudbury" for Greater Sudbury, "Orleans" for Orléans."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="other_names")
    name = models.CharField(max_length=120)
    # Compared the way `Place.search_name` is (see gazetteer.normalize).
    search_name = models.CharField(max_length=120)

    objects = PlaceNameManager()

    class Meta:
        ordering = ["search_name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "search_name"], name="place_name_unique"),
        ]
        indexes = [models.Index(fields=["search_name"], name="place_name_search_name")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.search_name, *self.place.natural_key())

    natural_key.dependencies = ["therapists.place"]


class ConsultStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    BOOKED = "booked", _("Booked")
    CLOSED = "closed", _("Closed")


class MeetingMode(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Online video")


# The consult form's last "where it hurts" choice, stored as no body area.
SOMEWHERE_ELSE = _("Somewhere else")

# A request's reference for the patient: 8 characters that cannot be mistaken for
# one another (no 0/O, 1/I/L), random so that nobody can guess another's.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A random reference such as "K7QM-29XD"."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for position in range(8))
    return f"{code[:4]}-{code[4:]}"


class ConsultRequest(models.Model):
    """A patient's request for a free consult or a call back, with the consent they gave.

    Health-related personal data: only the clinic it is for sees it, and it is deleted
    after the retention period (`purge_consult_requests`).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="consult_requests")
    therapist = models.ForeignKey(
        Therapist, on_delete=models.SET_NULL, null=True, blank=True, related_name="consult_requests"
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consult_requests",
        help_text="The address the patient chose to see the therapist at; empty for a request to the clinic.",
    )
    reference = models.CharField(
        max_length=9,
        unique=True,
        default=new_reference,
        editable=False,
        help_text="What the patient is told to quote; random, never the id.",
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(help_text="Stored in lower case so access and erasure requests find it.")
    phone = models.CharField(max_length=16, help_text="E.164, e.g. +12045550123")
    area = models.ForeignKey(
        BodyArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consult_requests",
        verbose_name="where it hurts",
        help_text="Empty when the patient chose “Somewhere else”.",
    )
    meeting = models.CharField("how to meet", max_length=5, choices=MeetingMode.choices)
    preferred_times = models.CharField(max_length=200)
    message = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=ConsultStatus.choices, default=ConsultStatus.NEW)
    clinic_notes = models.TextField(
        blank=True, help_text="The clinic's own notes; never shown to the patient."
    )
    consent_at = models.DateTimeField(help_text="When the patient ticked the consent box.")
    consent_version = models.CharField(max_length=40)
    consent_text = models.TextField(help_text="The exact consent wording the patient agreed to.")
    marketing_consent = models.BooleanField(
        default=False, help_text="Agreed to reminders and exercise plans by email."
    )
    marketing_version = models.CharField(max_length=40, blank=True)
    marketing_text = models.TextField(
        blank=True, help_text="The exact wording of the optional consent the patient ticked."
    )
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the clinic was emailed.")
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    notify_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ConsultStatus.values), name="consult_request_status_valid"
            ),
            models.CheckConstraint(condition=~Q(consent_version=""), name="consult_request_has_consent"),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "created_at"], name="consult_clinic_status"),
            models.Index(fields=["email"], name="consult_email"),
            models.Index(fields=["created_at"], name="consult_created"),
            models.Index(
                fields=["created_at"], condition=Q(notified_at__isnull=True), name="consult_not_notified"
            ),
        ]

    def __str__(self):
        return f"Consult request {self.reference} ({self.get_status_display()})"

    @property
    def where_it_hurts(self) -> str:
        """The body area's name, or "Somewhere else"."""
        return self.area.name if self.area else str(SOMEWHERE_ELSE)


# The clinic workspace and listings that stay true (issue 16).


class RegulatorKind(models.TextChoices):
    COLLEGE = "college", _("regulatory body")
    ASSOCIATION = "association", _("professional association (not a regulator)")


class RegulatorManager(models.Manager):
    def get_by_natural_key(self, province, discipline_slug, name):
        return self.get(province=province, discipline__slug=discipline_slug, name=name)


class Regulator(models.Model):
    """A body a therapist registers with, in one province for one discipline.

    Where a profession is regulated this is its college (registration is the law);
    where it is not (massage therapy in Manitoba, for instance) it is an association
    whose members use a title such as "RMT" by the association's own rules.
    """

    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    discipline = models.ForeignKey(
        Discipline, on_delete=models.PROTECT, related_name="regulators", verbose_name=_("discipline")
    )
    name = models.CharField(_("name"), max_length=160)
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    kind = models.CharField(_("kind of body"), max_length=12, choices=RegulatorKind.choices)
    register_url = models.URLField(
        _("public register"), max_length=300, help_text=_("Where anyone can look up a registration.")
    )

    objects = RegulatorManager()

    class Meta:
        ordering = ["province", "discipline", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "discipline", "name"], name="regulator_unique"),
            models.CheckConstraint(condition=Q(kind__in=RegulatorKind.values), name="regulator_kind_valid"),
        ]

    def __str__(self):
        return f"{self.name} ({self.province})"

    def natural_key(self):
        return (self.province, self.discipline.slug, self.name)

    natural_key.dependencies = ["therapists.discipline"]


class OutdatedReport(models.Model):
    """A visitor's report that a listing is wrong, for the clinic to check and close.

    No patient data beyond an optional email for a reply, deleted with the report."""

    WHAT = {
        "address": _("Address"),
        "phone": _("Phone number"),
        "hours": _("Opening hours"),
        "fees": _("Fees"),
        "new_patients": _("Accepting new patients"),
        "left": _("No longer works here"),
    }

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="outdated_reports", verbose_name=_("clinic")
    )
    therapist = models.ForeignKey(
        Therapist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outdated_reports",
        verbose_name=_("therapist"),
    )
    wrong = models.JSONField(_("what is wrong"), default=list, help_text=_("Keys of OutdatedReport.WHAT."))
    note = models.TextField(_("note"), max_length=1000, blank=True)
    email = models.EmailField(_("email for a reply"), blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outdated information report")
        indexes = [models.Index(fields=["clinic", "closed_at"], name="report_clinic_open")]

    def __str__(self):
        about = self.therapist.name if self.therapist else self.clinic.name
        return _("Report about %(about)s") % {"about": about}

    @property
    def what_is_wrong(self) -> str:
        return ", ".join(str(self.WHAT[key]) for key in self.wrong if key in self.WHAT)


class ConfirmationReminder(models.Model):
    """A reminder emailed to a clinic's managers: one per clinic per period."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="confirmation_reminders")
    period = models.DateField(help_text="The first day of the period (month) it was sent for.")
    sent_at = models.DateTimeField(auto_now_add=True)
    listings = models.PositiveIntegerField(help_text="How many listings it asked to confirm.")

    class Meta:
        ordering = ["-period", "clinic"]
        constraints = [models.UniqueConstraint(fields=["clinic", "period"], name="reminder_once_per_period")]

    def __str__(self):
        return f"{self.clinic} {self.period:%Y-%m}"


class SearchGap(models.Model):
    """How many searches in a week found nobody in person within the radius, for a place
    (a city or postal area, never coordinates) and a set of filters. A counter, upserted:
    nothing identifies a patient or a single search."""

    week = models.DateField(help_text="The Monday of the week.")
    place = models.CharField(max_length=120, help_text="A city, town or postal area (FSA).")
    province = models.CharField(max_length=2, blank=True)
    filters = models.CharField(max_length=200, blank=True, help_text="The search's filters, in words.")
    searches = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week", "-searches", "place"]
        verbose_name = _("search that found nobody")
        verbose_name_plural = _("searches that found nobody")
        constraints = [models.UniqueConstraint(fields=["week", "place", "filters"], name="search_gap_unique")]

    def __str__(self):
        return f"{self.place} ({self.week})"


class ListingWeek(models.Model):
    """How often a therapist's listing was shown in search results and opened, per week."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField(help_text="The Monday of the week.")
    shown = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week", "therapist"]
        verbose_name = _("listing views per week")
        verbose_name_plural = _("listing views per week")
        constraints = [models.UniqueConstraint(fields=["therapist", "week"], name="listing_week_unique")]

    def __str__(self):
        return f"{self.therapist} ({self.week})"
