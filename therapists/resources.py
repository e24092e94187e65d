"""CSV import and export of locations and therapists (django-import-export).

A resource is built for one user: the admin passes `clinics`, the clinics that
user manages (None for the site operator, who may touch every clinic). Rows are
matched, validated and exported within those clinics only; anything naming
another clinic's records is a per-row error that never says what exists there.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import QuerySet
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV

from therapists import geo, geocoding, hours
from therapists.models import (
    BookingLink,
    Clinic,
    ConsultRequest,
    Discipline,
    Fee,
    FeeKind,
    Language,
    Location,
    Payer,
    Specialty,
    Tag,
    Therapist,
    has_control_characters,
)

# A spreadsheet runs a cell starting with one of these as a formula (or turns it into
# one), e.g. =HYPERLINK(...) planted in a bio. Plain numbers (-97.1384) stay numbers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def spreadsheet_safe(value) -> str:
    """A CSV cell no spreadsheet runs: a leading quote before anything formula-like."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def from_spreadsheet(text):
    """Undo `spreadsheet_safe` on import, so an export round-trips unchanged."""
    if isinstance(text, str) and text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


class SafeCSV(CSV):
    """CSV whose cells cannot run as formulas when the file is opened in a spreadsheet."""

    def export_data(self, dataset, **kwargs):
        for index in range(len(dataset)):
            dataset[index] = tuple(spreadsheet_safe(cell) for cell in dataset[index])
        return super().export_data(dataset, **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        for index in range(len(dataset)):
            dataset[index] = tuple(from_spreadsheet(cell) for cell in dataset[index])
        return dataset


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Like ManyToManyWidget, but an unknown value is an error instead of being dropped.

    `choices` limits what may be named (e.g. the manager's own locations).
    """

    def __init__(self, model, *, field: str, noun: str, hint: str = "", choices: QuerySet | None = None):
        super().__init__(model, separator=",", field=field)
        self.noun = noun
        self.hint = hint
        self.choices = choices

    def get_choices(self) -> QuerySet:
        return self.choices if self.choices is not None else self.model.objects.all()

    def clean(self, value, row=None, **kwargs):
        values = [part.strip() for part in str(value or "").split(self.separator) if part.strip()]
        if not values:
            return self.model.objects.none()
        if self.field == "pk" and not all(part.isdigit() for part in values):
            raise ValueError(f"Give {self.noun}s as numbers separated by commas, e.g. 12,15{self.hint}.")
        found = self.get_choices().filter(**{f"{self.field}__in": values})
        known = {str(getattr(obj, self.field)) for obj in found}
        unknown = [part for part in values if part not in known]
        if unknown:
            raise ValueError(f"Unknown {self.noun}: {', '.join(unknown)}{self.hint}.")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(str(getattr(related, self.field)) for related in value.all())


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a readable key (slug), with a plain error when nothing matches.

    `choices` limits what may be named; the error is the same whether a value
    does not exist or belongs to someone else.
    """

    def __init__(self, model, field: str, *, noun: str, choices: QuerySet | None = None):
        super().__init__(model, field=field)
        self.noun = noun
        self.choices = choices

    def get_queryset(self, value, row, *args, **kwargs):
        return self.choices if self.choices is not None else self.model.objects.all()

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            raise ValueError(f"Give the {self.noun}.")
        try:
            return self.get_queryset(value, row).get(**{self.field: value})
        except self.model.DoesNotExist:
            raise ValueError(f"Unknown {self.noun}: “{value}”.") from None


class LanguagesWidget(StrictManyToManyWidget):
    """Languages written by name ("English, French"), as people read them; ISO codes
    ("en,fr", the older export) are accepted too."""

    def __init__(self):
        super().__init__(Language, field="code", noun="language")

    def clean(self, value, row=None, **kwargs):
        parts = [part.strip() for part in str(value or "").split(self.separator) if part.strip()]
        by_name = {name.casefold(): code for code, name in Language.objects.values_list("code", "name")}
        codes = ",".join(by_name.get(part.casefold(), part) for part in parts)
        return super().clean(codes, row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(language.name for language in value.all())


def location_label(location: Location) -> str:
    """A location as the therapist export names it: "Clinic: street, city"."""
    return f"{location.clinic.name}: {location.street}, {location.city}"


class LocationsWidget(StrictManyToManyWidget):
    """Locations named by clinic and address ("Alpha Physio: 1 Main Street, Winnipeg"),
    separated by semicolons; location ids separated by commas (the older export) are
    accepted too. Only `choices` (the user's own locations) may be named."""

    def __init__(self):
        super().__init__(
            Location, field="pk", noun="location id", hint=" (the ids of your locations, from their export)"
        )

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text or all(part.strip().isdigit() for part in text.split(",") if part.strip()):
            return super().clean(value, row, **kwargs)
        labels = {
            " ".join(location_label(location).casefold().split()): location.pk
            for location in self.get_choices().select_related("clinic")
        }
        wanted = [part.strip() for part in text.split(";") if part.strip()]
        unknown = [part for part in wanted if " ".join(part.casefold().split()) not in labels]
        if unknown:
            raise ValueError(
                f"Unknown location: {'; '.join(unknown)} (write “Clinic: street, city” as the export "
                "does, separated by semicolons, or your location ids separated by commas)."
            )
        return self.get_choices().filter(pk__in=[labels[" ".join(p.casefold().split())] for p in wanted])

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        locations = value.select_related("clinic") if hasattr(value, "select_related") else value
        return "; ".join(location_label(location) for location in locations)


class ClinicScopedResource(resources.ModelResource):
    """A resource limited to `clinics` (None: every clinic, for the site operator)."""

    def __init__(self, clinics: QuerySet | None = None, **kwargs):
        super().__init__(**kwargs)
        self.clinics = clinics

    def get_instance(self, instance_loader, row):
        # A bad key in an id column (an unknown clinic) is the row's fault: report
        # it as a validation error on that row, not as a crash of the import.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class LocationResource(ClinicScopedResource):
    """Locations keyed by clinic slug and location name; coordinates may be left empty."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    clinic = fields.Field(
        attribute="clinic",
        column_name="clinic",
        widget=StrictForeignKeyWidget(Clinic, "slug", noun="clinic (give the slug of a clinic you manage)"),
    )

    # The weekly table in one cell ("Mon 09:00-17:00; Sat 10:00-14:00", see hours.format_week).
    # A file without the column leaves the hours as they are.
    hours = fields.Field(column_name="hours", attribute=None, readonly=False)

    class Meta:
        model = Location
        fields = (
            "id",
            "clinic",
            "name",
            "street",
            "city",
            "province",
            "postal_code",
            "phone",
            "latitude",
            "longitude",
            "wheelchair_accessible",
            "hours",
            "closed_until",
            "closed_reason",
        )
        import_id_fields = ("clinic", "name")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, clinics: QuerySet | None = None, **kwargs):
        super().__init__(clinics, **kwargs)
        self.fields["clinic"].widget.choices = clinics

    def get_queryset(self):
        locations = Location.objects.select_related("clinic").prefetch_related("opening_hours")
        return locations if self.clinics is None else locations.filter(clinic__in=self.clinics)

    def dehydrate_hours(self, location: Location) -> str:
        return hours.format_week(location.opening_hours.all()) if location.pk else ""

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name != "hours":
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if "hours" in row and instance.pk and (row["hours"] or "") != self.dehydrate_hours(instance):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if "hours" in row:
            hours.replace_week(instance, instance.imported_week)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "hours" in row:
            try:
                instance.imported_week = hours.parse_week(str(row["hours"] or ""))
            except ValueError as error:
                errors["hours"] = [str(error)]
        if "postal_code" not in errors:
            postal_code = geo.format_postal_code(instance.postal_code or "")
            if postal_code is None:
                errors["postal_code"] = [geocoding.INVALID_POSTAL_CODE]
            else:
                instance.postal_code = postal_code
        if not ({"latitude", "longitude"} & errors.keys()):
            errors.update(self.fill_coordinates(instance))
        if errors:
            raise ValidationError(errors)

    def fill_coordinates(self, location: Location) -> dict[str, list[str]]:
        """Place a row with no coordinates from its address; errors by field, if any."""
        try:
            point, _ = geocoding.place(
                location.latitude,
                location.longitude,
                street=location.street,
                city=location.city,
                province=location.province,
                postal_code=location.postal_code,
            )
        except geocoding.NotPlaced as error:
            return {error.field: [error.message]}
        location.latitude, location.longitude = point
        return {}


class TherapistResource(ClinicScopedResource):
    """Therapists keyed by slug. Locations are named by clinic and address (separated by
    semicolons; location ids are accepted too), languages by name, specialties by slug."""

    discipline = fields.Field(
        attribute="discipline",
        column_name="discipline",
        widget=StrictForeignKeyWidget(
            Discipline, "slug", noun="discipline (massage, physiotherapy or chiropractic)"
        ),
    )
    languages = fields.Field(
        attribute="languages",
        column_name="languages",
        widget=LanguagesWidget(),
    )
    specialties = fields.Field(
        attribute="specialties",
        column_name="specialties",
        widget=StrictManyToManyWidget(Specialty, field="slug", noun="specialty"),
    )
    locations = fields.Field(
        attribute="locations",
        column_name="locations",
        widget=LocationsWidget(),
    )
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=StrictManyToManyWidget(Tag, field="slug", noun="tag"),
    )
    # "12=https://book.example/ann 14=https://other.example/ann": a location id of yours and
    # the link to book there, for locations whose booking system differs from booking_url.
    # A file without the column leaves the links as they are. Photos are not in the file:
    # they are uploaded in the admin, where each is checked and resized.
    booking_links = fields.Field(column_name="booking_links", attribute=None, readonly=False)

    class Meta:
        model = Therapist
        fields = (
            "slug",
            "first_name",
            "last_name",
            "discipline",
            "credentials",
            "regulator",
            "registration_number",
            "bio",
            "gender",
            "pronouns",
            "languages",
            "specialties",
            "locations",
            "new_patients",
            "new_patients_as_of",
            "booking_url",
            "booking_links",
            "tags",
            "offers_virtual_care",
            "is_published",
            "last_verified",
        )
        import_id_fields = ("slug",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, clinics: QuerySet | None = None, **kwargs):
        super().__init__(clinics, **kwargs)
        self.locations_allowed = (
            Location.objects.all() if clinics is None else Location.objects.filter(clinic__in=clinics)
        )
        self.fields["locations"].widget.choices = self.locations_allowed

    def get_queryset(self):
        therapists = Therapist.objects.select_related("discipline")
        if self.clinics is None:
            return therapists
        mine = Therapist.objects.filter(locations__clinic__in=self.clinics).values("pk")
        return therapists.filter(pk__in=mine)

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("languages", "specialties", "tags", "booking_links")

    def dehydrate_booking_links(self, therapist: Therapist) -> str:
        if therapist.pk is None:
            return ""
        allowed = None if self.clinics is None else set(self.locations_allowed.values_list("pk", flat=True))
        links = sorted((link.location_id, link.url) for link in therapist.booking_links.all())
        return " ".join(f"{pk}={url}" for pk, url in links if allowed is None or pk in allowed)

    def parse_booking_links(self, text: str) -> dict[int, str]:
        """The cell's links by location id; ValueError naming what cannot be read."""
        links = {}
        allowed = set(self.locations_allowed.values_list("pk", flat=True))
        for item in text.split():
            pk, _, url = item.partition("=")
            if not pk.isdigit() or int(pk) not in allowed:
                raise ValueError(
                    f"“{item}” is not one of your location ids, an equals sign and a link "
                    "(e.g. 12=https://book.example/ann)."
                )
            try:
                URLValidator(schemes=["https", "http"])(url)
            except ValidationError:
                raise ValueError(f"“{url}” is not a web address (https://...).") from None
            if len(url) > BookingLink._meta.get_field("url").max_length:
                raise ValueError(f"The link for location {pk} is too long.")
            links[int(pk)] = url
        return links

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if "booking_links" in row and instance.pk and self.links_changed(instance, row):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def links_changed(self, therapist: Therapist, row) -> bool:
        try:
            wanted = self.parse_booking_links(str(row["booking_links"] or ""))
        except ValueError:
            return True
        current = BookingLink.objects.filter(therapist=therapist, location__in=self.locations_allowed)
        return wanted != dict(current.values_list("location_id", "url"))

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if "booking_links" in row and not kwargs.get("dry_run"):
            replace_booking_links(instance, instance.imported_links, self.locations_allowed)

    def dehydrate_locations(self, therapist: Therapist) -> str:
        # Only the exporting user's own locations: a therapist who also practises
        # at another clinic must not reveal that clinic's location ids.
        visible = getattr(therapist, "visible_locations", None)
        if visible is None:
            visible = therapist.locations.filter(pk__in=self.locations_allowed.values("pk")).select_related(
                "clinic"
            )
        return self.fields["locations"].widget.render(visible)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Many-to-many values are only saved after the row is; check them now so a
        # bad code is reported with the row's other errors and nothing is saved.
        if "booking_links" in row:
            try:
                instance.imported_links = self.parse_booking_links(str(row["booking_links"] or ""))
            except ValueError as error:
                errors["booking_links"] = [str(error)]
        for name in ("languages", "specialties", "locations", "tags"):
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                chosen = field.clean(row)
            except ValueError as error:
                errors[name] = [str(error)]
                continue
            if name == "locations" and not chosen and not self.unseen_locations(instance):
                errors[name] = ["Give at least one of your location ids."]
        if instance.pk is None and self.fields["locations"].column_name not in row:
            errors["locations"] = ["Give at least one of your location ids (a “locations” column)."]
        if errors:
            raise ValidationError(errors)

    def unseen_locations(self, therapist: Therapist) -> list[Location]:
        """The therapist's locations at clinics this import may not touch."""
        if therapist.pk is None or self.clinics is None:
            return []
        return list(therapist.locations.exclude(pk__in=self.locations_allowed.values("pk")))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "booking_links":
            return
        if is_m2m and field.attribute == "locations" and field.column_name in row:
            # Replace only the user's own locations; links to other clinics stay.
            unseen = self.unseen_locations(instance)
            instance.locations.set([*field.clean(row), *unseen])
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)


def replace_booking_links(therapist: Therapist, links: dict[int, str], locations: QuerySet) -> None:
    """Make `links` (location id: url) the therapist's booking links among `locations`."""
    BookingLink.objects.filter(therapist=therapist, location__in=locations).exclude(
        location__in=list(links)
    ).delete()
    for location_id, url in links.items():
        BookingLink.objects.update_or_create(
            therapist=therapist, location_id=location_id, defaults={"url": url}
        )


# One line of a price list in a CSV cell: "massage 60 min $95.00 + tax for ann-alphason: hot stone"
# (the tax, the therapist and the description are optional); lines are separated by "; ".
FEE_LINE = re.compile(
    r"(?P<kind>[a-z-]+) (?P<minutes>\d{1,4}) min \$?(?P<price>\d{1,5}(?:\.\d{1,2})?)"
    r"(?P<tax> \+ tax)?(?: for (?P<therapist>[a-z0-9_-]+))?(?:: (?P<description>[^;]+))?"
)


def format_fee(fee: Fee) -> str:
    line = f"{fee.kind} {fee.minutes} min ${fee.price:.2f}"
    if fee.taxable:
        line += " + tax"
    if fee.therapist_id:
        line += f" for {fee.therapist.slug}"
    if fee.description:
        line += f": {fee.description}"
    return line


class ClinicResource(ClinicScopedResource):
    """Clinics keyed by slug, with the payers they bill or accept (slugs) and their price
    list in one cell each. Managers update their own clinics; only the operator adds one."""

    payers = fields.Field(
        attribute="payers",
        column_name="payers",
        widget=StrictManyToManyWidget(Payer, field="slug", noun="insurer or programme"),
    )
    # Every fee of the clinic (see FEE_LINE); a file without the column leaves them as they are.
    fees = fields.Field(column_name="fees", attribute=None, readonly=False)

    class Meta:
        model = Clinic
        fields = ("slug", "name", "phone", "email", "website", "description", "payers", "fees")
        import_id_fields = ("slug",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        clinics = Clinic.objects.prefetch_related("payers")
        return clinics if self.clinics is None else clinics.filter(pk__in=self.clinics.values("pk"))

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related(
            models.Prefetch("fees", queryset=Fee.objects.select_related("therapist").order_by("pk"))
        )

    def dehydrate_fees(self, clinic: Clinic) -> str:
        if clinic.pk is None:
            return ""
        return "; ".join(format_fee(fee) for fee in clinic.fees.all())

    def parse_fees(self, clinic: Clinic, text: str) -> list[Fee]:
        """The cell's fee lines as unsaved Fee rows; ValueError naming what cannot be read."""
        therapists = (
            dict(Therapist.objects.filter(locations__clinic=clinic).values_list("slug", "pk"))
            if clinic.pk
            else {}
        )
        parsed = []
        for line in filter(None, (item.strip() for item in text.split(";"))):
            match = FEE_LINE.fullmatch(line)
            if not match or match["kind"] not in FeeKind.values:
                raise ValueError(
                    f"“{line}” is not a fee line such as “massage 60 min $95.00”, "
                    f"“assessment 45 min $110 + tax” or “massage 90 min $140 for ann-alphason: hot stone”."
                )
            if match["therapist"] and match["therapist"] not in therapists:
                raise ValueError(f"“{match['therapist']}” does not practise at this clinic.")
            if int(match["minutes"]) < 5:
                raise ValueError(f"“{line}”: a visit lasts at least 5 minutes.")
            if has_control_characters(match["description"] or ""):
                raise ValueError(f"“{line}” holds a line break or another control character.")
            parsed.append(
                Fee(
                    kind=match["kind"],
                    minutes=int(match["minutes"]),
                    price=Decimal(match["price"]),
                    taxable=bool(match["tax"]),
                    therapist_id=therapists.get(match["therapist"]),
                    description=(match["description"] or "").strip()[:80],
                )
            )
        return parsed

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        if instance.pk is None and self.clinics is not None:
            # A manager's file may update their clinics, never add one.
            raise ValidationError({"slug": ["Give the slug of a clinic you manage."]})
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "fees" in row:
            try:
                instance.imported_fees = self.parse_fees(instance, str(row["fees"] or ""))
            except ValueError as error:
                errors["fees"] = [str(error)]
        if "payers" in row:
            try:
                self.fields["payers"].clean(row)
            except ValueError as error:
                errors["payers"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name != "fees":
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if "fees" in row and instance.pk:
            current = Clinic.objects.filter(pk=instance.pk).prefetch_related("fees__therapist").get()
            if (row["fees"] or "") != self.dehydrate_fees(current):
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if "fees" in row and not kwargs.get("dry_run"):
            replace_fees(instance, instance.imported_fees)


def replace_fees(clinic: Clinic, fees: list[Fee]) -> None:
    """Make `fees` the clinic's whole price list."""
    clinic.fees.all().delete()
    for fee in fees:
        fee.clinic = clinic
    Fee.objects.bulk_create(fees)


# The clinic workspace: the front desk's export of its consult requests (read-only).


class ConsultRequestResource(ClinicScopedResource):
    """A clinic's consult requests as the front desk works them: who to call, about what."""

    where_it_hurts = fields.Field(attribute="where_it_hurts", column_name="where it hurts", readonly=True)
    therapist = fields.Field(column_name="therapist", readonly=True)
    location = fields.Field(column_name="location", readonly=True)
    clinic = fields.Field(attribute="clinic__name", column_name="clinic", readonly=True)

    class Meta:
        model = ConsultRequest
        fields = (
            "reference",
            "created_at",
            "status",
            "name",
            "phone",
            "email",
            "where_it_hurts",
            "therapist",
            "location",
            "clinic",
            "meeting",
            "preferred_times",
            "message",
            "clinic_notes",
        )
        export_order = fields

    def get_queryset(self):
        requests = ConsultRequest.objects.select_related("clinic", "therapist", "location", "area")
        return requests if self.clinics is None else requests.filter(clinic__in=self.clinics)

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its own (already clinic-limited) list: keep to our clinics anyway.
        queryset = queryset.select_related("clinic", "therapist", "location", "area")
        return queryset if self.clinics is None else queryset.filter(clinic__in=self.clinics)

    def dehydrate_therapist(self, consult: ConsultRequest) -> str:
        return consult.therapist.name if consult.therapist else ""

    def dehydrate_location(self, consult: ConsultRequest) -> str:
        return consult.location.address if consult.location else ""
