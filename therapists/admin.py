"""The admin: the site operator oversees everything, each clinic keeps its own listings.

A clinic manager is a staff user in the "Clinic managers" group (migration 0003)
who is one of a clinic's `managers`. They see and change only their clinics,
those clinics' locations and opening hours, and the therapists who practise
there. Every rule that decides this lives in `ClinicScopedAdmin`, which every
ModelAdmin below uses; a model joins by naming its path to its clinic, e.g.
`clinic_lookup = "clinic"`.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportModelAdmin

from therapists import geo, geocoding, hours, page_cache, photos, reports, uploads, workspace
from therapists.models import (
    PHOTO_ALT_REQUIRED,
    BodyArea,
    BookingLink,
    Clinic,
    ClinicPhoto,
    Closure,
    ConsultRequest,
    ConsultStatus,
    Discipline,
    Fee,
    Language,
    ListingWeek,
    Location,
    OpeningHours,
    OutdatedReport,
    Payer,
    Place,
    Regulator,
    SearchGap,
    SpecialHours,
    Specialty,
    Tag,
    Therapist,
    TherapistHours,
)
from therapists.resources import (
    ClinicResource,
    ConsultRequestResource,
    LocationResource,
    SafeCSV,
    TherapistResource,
)

MAX_CLINIC_PHOTOS = 4


def managed_clinics(user) -> QuerySet[Clinic]:
    """The clinics `user` may see in the admin: all for the site operator, else their own."""
    if user.is_active and user.is_superuser:
        return Clinic.objects.all()
    if not (user.is_active and user.is_staff):
        return Clinic.objects.none()
    return Clinic.objects.filter(managers=user)


def _managed_clinic_ids(request) -> frozenset[int]:
    # Asked several times per request (querysets, permissions, filters): once is enough.
    if not hasattr(request, "_managed_clinic_ids"):
        request._managed_clinic_ids = frozenset(managed_clinics(request.user).values_list("pk", flat=True))
    return request._managed_clinic_ids


def _is_operator(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class ClinicScopedChoices:
    """Form choices limited to what the user may see: a manager picks among their own
    clinics and locations only. Used by ModelAdmins and inlines alike."""

    admin_site: admin.AdminSite

    def scoped_choices(self, db_field, request) -> QuerySet | None:
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, ClinicScopedAdmin) and related_admin.clinic_lookup:
            return related_admin.get_queryset(request)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ClinicScopedForm(forms.ModelForm):
    """Keeps the links a user cannot see when they save.

    A many-to-many field offers the user only their own choices, e.g. their
    clinics' locations. A therapist who also practises at another clinic keeps
    those other locations: they are neither shown nor dropped on save.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unseen = {}
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            current = self.initial.get(name)
            if not isinstance(field, forms.ModelMultipleChoiceField) or not current:
                continue
            visible = set(
                field.queryset.filter(pk__in=[obj.pk for obj in current]).values_list("pk", flat=True)
            )
            unseen = [obj for obj in current if obj.pk not in visible]
            if unseen:
                self.unseen[name] = unseen
                self.initial[name] = [obj for obj in current if obj.pk in visible]
                # Removing all of one's own choices is allowed: the other links remain.
                field.required = False
                field.help_text = (
                    "Also linked to another clinic, which keeps its own links. Remove all of yours "
                    "to stop listing this at your clinic."
                )

    def _save_m2m(self):
        for name, unseen in self.unseen.items():
            if name in self.cleaned_data:
                self.cleaned_data[name] = [*self.cleaned_data[name], *unseen]
        super()._save_m2m()


class ClinicScopedAdmin(ClinicScopedChoices):
    """The access rules of the admin, in one place.

    - `clinic_lookup`: the path from the model to its Clinic ("pk" for Clinic
      itself, "clinic", "location__clinic", "locations__clinic"). A manager sees a
      row when the path reaches one of their clinics, and deletes it only when it
      reaches no one else's. Every view, list filter, choice, autocomplete,
      action, import and export starts from `get_queryset`, so all are limited.
    - `clinic_lookup = None`: reference data. Whoever has the view permission
      may look (e.g. autocomplete); only the site operator edits.
    - `operator_only = True`: only the site operator sees it at all.
    """

    clinic_lookup: str | None = None
    operator_only = False
    form = ClinicScopedForm

    class Media:
        js = ["js/admin-widgets.js"]

    def scope(self, queryset: QuerySet, request) -> QuerySet:
        if self.clinic_lookup is None or _is_operator(request):
            return queryset
        if self.operator_only:
            return queryset.none()
        # A subquery on primary keys: no duplicate rows for paths through a
        # many-to-many (a therapist at two of the manager's locations).
        reachable = self.model._default_manager.filter(
            **{f"{self.clinic_lookup}__in": _managed_clinic_ids(request)}
        ).values("pk")
        return queryset.filter(pk__in=reachable)

    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request)

    def clinics_of(self, request, obj) -> frozenset[int]:
        """The ids of every clinic `obj` belongs to, through `clinic_lookup`."""
        cache = request.__dict__.setdefault("_clinics_of", {})
        key = (self.model, obj.pk)
        if key not in cache:
            rows = self.model._default_manager.filter(pk=obj.pk).values_list(self.clinic_lookup, flat=True)
            cache[key] = frozenset(pk for pk in rows if pk is not None)
        return cache[key]

    def reaches(self, request, obj) -> bool:
        """May the user see `obj`: does it belong to at least one of their clinics?"""
        if obj is None or _is_operator(request):
            return True
        if self.clinic_lookup is None:
            return not self.operator_only
        return bool(self.clinics_of(request, obj) & _managed_clinic_ids(request))

    def owns(self, request, obj) -> bool:
        """May the user delete `obj`: does it belong to none but their clinics?"""
        if obj is None or _is_operator(request):
            return True
        if self.clinic_lookup is None:
            return False
        clinics = self.clinics_of(request, obj)
        return bool(clinics) and clinics <= _managed_clinic_ids(request)

    def may_edit(self, request) -> bool:
        return self.clinic_lookup is not None or _is_operator(request)

    def has_module_permission(self, request):
        if self.operator_only:
            return _is_operator(request)
        return super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        if self.operator_only and not _is_operator(request):
            return False
        return super().has_view_permission(request, obj) and self.reaches(request, obj)

    def has_add_permission(self, request, *args):
        return self.may_edit(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return (
            self.may_edit(request)
            and super().has_change_permission(request, obj)
            and self.reaches(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            self.may_edit(request) and super().has_delete_permission(request, obj) and self.owns(request, obj)
        )

    def lookup_allowed(self, lookup, value, request=None):
        # A hand-written URL parameter through a relation would let a manager probe
        # another clinic's data (`?consult_requests__id__exact=5`, `?locations=42`):
        # managers get only the parameters of this admin's own filters. Exports
        # filter through the same check.
        if request is not None and _is_operator(request):
            return super().lookup_allowed(lookup, value, request)
        return lookup in self.filter_parameters(request)

    def filter_parameters(self, request) -> set[str]:
        """The URL parameters the admin's own `list_filter` and `date_hierarchy` produce."""
        parameters = set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                parameters.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, tuple) else item
            field = get_fields_from_path(self.model, path)[-1]
            if field.is_relation:
                parameters.add(f"{path}__{field.target_field.name}__exact")
            else:
                parameters.update({path, f"{path}__exact"})
            parameters.add(f"{path}__isnull")
        if self.date_hierarchy:
            parameters.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        return parameters

    def get_paginator(self, request, queryset, per_page, *args, **kwargs):
        # The history page pages through the object's LogEntry rows: here is the one
        # place to hold back what another clinic's staff did to a shared record.
        if queryset.model is LogEntry:
            queryset = visible_history(request, queryset)
        return super().get_paginator(request, queryset, per_page, *args, **kwargs)

    # Import and export (django-import-export), for the ModelAdmins that offer them.

    def get_import_formats(self):
        return [SafeCSV]

    def get_export_formats(self):
        return [SafeCSV]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_resource_kwargs(self, request, *args, **kwargs):
        clinics = None if _is_operator(request) else managed_clinics(request.user)
        return {**super().get_resource_kwargs(request, *args, **kwargs), "clinics": clinics}

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    # Between an import's preview and its confirmation the file waits in our own
    # storage, named to the browser only as signed for its uploader (therapists.uploads).
    tmp_storage_class = uploads.UploadStorage
    confirm_form_class = uploads.ConfirmUploadForm

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        return {**kwargs, "user": request.user, "format_count": len(self.get_import_formats())}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if initial:
            initial["import_file_name"] = uploads.sign_upload(initial["import_file_name"], request.user)
        return initial

    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = self.create_confirm_form(request)
            if not form.is_valid():
                for errors in form.errors.values():
                    messages.error(request, errors[0])
                info = self.opts.app_label, self.opts.model_name
                return redirect("admin:{}_{}_import".format(*info))
        return super().process_import(request, **kwargs)


def visible_history(request, entries: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
    """Admin history the user may read: all for the operator; for a manager, only what
    staff of their own clinics did (a shared therapist's other clinic stays private)."""
    if _is_operator(request):
        return entries
    colleagues = get_user_model().objects.filter(managed_clinics__in=_managed_clinic_ids(request))
    return entries.filter(user__in=colleagues.values("pk"))


def view_on_site(request, content_type_id: int, object_id: str):
    """The admin's "View on site" link (/admin/r/<type>/<id>/), for objects the user may
    see in the admin only: Django's own answers for any object, and its redirect names it."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_permission(request):
        raise Http404
    try:
        visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, ValidationError):
        visible = False
    if not visible:
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)


def update_and_log(request, queryset, message: str, **changes) -> int:
    """A bulk action's update, recorded in each object's admin history like a form save."""
    objects = list(queryset)
    count = queryset.model._default_manager.filter(pk__in=[obj.pk for obj in objects]).update(
        updated_at=timezone.now(), **changes
    )
    if page_cache.is_listing_model(queryset.model):
        page_cache.listings_changed()  # update() sends no signals
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=objects,
        action_flag=CHANGE,
        change_message=message,
        single_object=len(objects) == 1,
    )
    return count


def take_off_locations(request, therapists: QuerySet[Therapist], clinic_ids) -> int:
    """Unlink therapists from these clinics' locations (a manager's "delete" of a therapist
    another clinic also lists), recorded in each therapist's history; returns how many."""
    therapists = list(therapists)
    links = Therapist.locations.through.objects.filter(
        therapist__in=therapists, location__clinic__in=clinic_ids
    )
    links.delete()
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=therapists,
        action_flag=CHANGE,
        change_message="Taken off the clinic's locations.",
        single_object=len(therapists) == 1,
    )
    return len(therapists)


class ManagedClinicFilter(admin.SimpleListFilter):
    """Filter by clinic, listing only the clinics the user manages."""

    title = "clinic"
    parameter_name = "clinic"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.clinic_lookup = model_admin.clinic_lookup

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in managed_clinics(request.user).values_list("pk", "name")]

    def queryset(self, request, queryset):
        # A string from the URL, or a choice of `lookups` when Django counts facets.
        value = str(self.value() or "")
        if not value:
            return queryset
        if not value.isdigit() or int(value) not in _managed_clinic_ids(request):
            return queryset.none()
        in_clinic = queryset.model._default_manager.filter(**{self.clinic_lookup: int(value)})
        return queryset.filter(pk__in=in_clinic.values("pk"))


def geocoded_message(request, form) -> None:
    """Tell the person who saved a location where its pin came from."""
    found = getattr(form, "geocode", None)
    if found is not None:
        messages.info(
            request,
            format_html(
                "{} was placed at {}. <a href='{}'>Check the pin on the map</a> and type "
                "the exact latitude and longitude if it is off.",
                form.instance,
                found.source,
                geocoding.map_url(found.point),
            ),
        )


class LocationForm(ClinicScopedForm):
    """Fills the coordinates from the address when both are left empty."""

    geocode: geocoding.Geocode | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in (("latitude", 90), ("longitude", 180)):
            if name in self.fields:
                field = self.fields[name]
                field.required = False
                field.help_text = "Degrees. Leave both empty to fill them from the address."
                field.validators += [MinValueValidator(-limit), MaxValueValidator(limit)]
                field.widget.attrs.update(min=-limit, max=limit)

    def clean_postal_code(self):
        postal_code = geo.format_postal_code(self.cleaned_data["postal_code"])
        if postal_code is None:
            raise forms.ValidationError(geocoding.INVALID_POSTAL_CODE)
        return postal_code

    def clean(self):
        cleaned = super().clean()
        if "latitude" not in self.fields or self.has_error("latitude") or self.has_error("longitude"):
            return cleaned
        try:
            point, self.geocode = geocoding.place(
                cleaned.get("latitude"),
                cleaned.get("longitude"),
                street=cleaned.get("street", ""),
                city=cleaned.get("city", ""),
                province=cleaned.get("province", ""),
                # A postal code that is not one places nothing; the city still may.
                postal_code="" if self.has_error("postal_code") else cleaned.get("postal_code", ""),
            )
        except geocoding.NotPlaced as error:
            self.add_error(error.field, error.message)
        else:
            cleaned["latitude"], cleaned["longitude"] = point
        return cleaned


@admin.display(description="Map")
def map_link(location: Location):
    if location.pk is None or location.latitude is None or location.longitude is None:
        return "Saved locations link to a map here."
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}, {} on OpenStreetMap</a>',
        geocoding.map_url(location.point),
        f"{location.latitude:.5f}",
        f"{location.longitude:.5f}",
    )


# Clinics and their locations.


class LocationInline(ClinicScopedChoices, admin.StackedInline):
    model = Location
    form = LocationForm
    extra = 0
    show_change_link = True
    fields = [
        "name",
        ("street", "city"),
        ("province", "postal_code"),
        "phone",
        ("latitude", "longitude"),
        "map_link",
        "wheelchair_accessible",
    ]
    readonly_fields = ["map_link"]

    map_link = staticmethod(map_link)


class FeeInline(ClinicScopedChoices, admin.TabularInline):
    """The clinic's price list; a line with a therapist is that therapist's own price."""

    model = Fee
    extra = 0
    fields = ["kind", "description", "minutes", "price", "taxable", "therapist"]


class ClinicPhotoForm(forms.ModelForm):
    upload = photos.PhotoField(shape=photos.CLINIC_PHOTO, label=_("Photo"), required=False)

    class Meta:
        model = ClinicPhoto
        fields = ["upload", "alt_text", "position"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.has_error("upload") and cleaned.get("upload") is None:
            self.add_error("upload", _("Choose a photo to upload."))
        return cleaned


class ClinicPhotoInline(ClinicScopedChoices, admin.TabularInline):
    """A few photos of the clinic; each is checked, stripped of its camera data and resized on upload."""

    model = ClinicPhoto
    form = ClinicPhotoForm
    extra = 0
    max_num = MAX_CLINIC_PHOTOS
    fields = ["preview", "upload", "alt_text", "position"]
    readonly_fields = ["preview"]

    def get_formset(self, request, obj=None, **kwargs):
        # max_num alone only limits the empty rows shown: refuse a fifth photo posted anyway.
        return super().get_formset(request, obj, validate_max=True, **kwargs)

    @admin.display(description=_("Current photo"))
    def preview(self, clinic_photo):
        return photo_preview(clinic_photo.photo, photos.CLINIC_PHOTO)


def photo_preview(name: str, shape: photos.Shape):
    picture = photos.picture(name, shape, shape.widths[0])
    if picture is None:
        return "—"
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" class="photo-preview">',
        picture.src,
        picture.width // 2,
        picture.height // 2,
    )


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin, ImportExportModelAdmin):
    clinic_lookup = "pk"
    resource_classes = [ClinicResource]
    list_display = ["name", "phone", "email", "location_count"]
    list_filter = ["payers"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["managers"]
    # The description is edited in English and French (description_en, description_fr).
    exclude = ["description"]
    inlines = [LocationInline, FeeInline, ClinicPhotoInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "payers":  # a short reference list: ticking boxes needs no JavaScript
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Meta.ordering does not apply to a GROUP BY query: order explicitly.
        return (
            super()
            .get_queryset(request)
            .annotate(location_count=Count("locations"))
            .order_by(*Clinic._meta.ordering)
        )

    @admin.display(description="Locations", ordering="location_count")
    def location_count(self, clinic):
        return clinic.location_count

    def get_exclude(self, request, obj=None):
        # Who manages a clinic is the operator's decision: a manager never sees the
        # user list, nor adds people to their clinic.
        if _is_operator(request):
            return super().get_exclude(request, obj)
        return [*(super().get_exclude(request, obj) or []), "managers", "slug"]

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if _is_operator(request) else {}

    def has_add_permission(self, request, *args):
        # Managers never create clinics, whatever permissions they are given.
        return _is_operator(request) and super().has_add_permission(request, *args)

    def has_import_permission(self, request):
        # A manager's file updates their clinics' payers and price lists (ClinicResource
        # refuses a row for any other clinic); adding clinics stays the operator's.
        return self.has_change_permission(request)

    def save_formset(self, request, form, formset, change):
        if formset.model is ClinicPhoto:
            for photo_form in formset.forms:
                if photo_form.has_changed() and not formset._should_delete_form(photo_form):
                    photos.apply(
                        photo_form.instance, photos.CLINIC_PHOTO, photo_form.cleaned_data.get("upload")
                    )
        super().save_formset(request, form, formset, change)
        if formset.model is ClinicPhoto:
            for removed in formset.deleted_objects:
                transaction.on_commit(lambda name=removed.photo: photos.delete(name, photos.CLINIC_PHOTO))
        for location_form in formset.forms:
            geocoded_message(request, location_form)


class OpeningHoursFormSet(forms.BaseInlineFormSet):
    """A table's column headings do not name its inputs for a screen reader: each
    input of a row of opening hours gets its own name."""

    names = {"weekday": "Day", "opens": "Opens", "closes": "Closes", "DELETE": "Delete these hours"}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "" if index is None else f" (row {index + 1})"
        for name, label in self.names.items():
            if name in form.fields:
                form.fields[name].widget.attrs["aria-label"] = f"{label}{row}"


class HoursTable:
    """The tables of hours and dates: the browser's own time and date inputs (a native
    picker on a phone, no "server time" notes: hours are in the location's zone), and
    rows narrow enough for a phone (css/admin-hours.css)."""

    classes = ["hours-table"]
    formfield_overrides = {
        models.TimeField: {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")},
        models.DateField: {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
    }

    class Media:
        css = {"all": ["css/admin-hours.css"]}


class OpeningHoursInline(HoursTable, ClinicScopedChoices, admin.TabularInline):
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        # A new location, or one without hours, gets a row per weekday: a week in one screen.
        return 5 if _without_hours(obj) else 0


def _without_hours(location: Location | None) -> bool:
    """A location being added, or one with no weekly hours yet."""
    return location is None or location.pk is None or not location.opening_hours.exists()


class ClosureFormSet(OpeningHoursFormSet):
    names = {"first_day": "Closed from", "last_day": "Closed to", "reason": "Reason", "DELETE": "Delete"}


class ClosureInline(HoursTable, ClinicScopedChoices, admin.TabularInline):
    """Closed for a range of days: the empty row is always there, so a closure is two
    dates and Save."""

    model = Closure
    formset = ClosureFormSet
    extra = 1
    verbose_name = "closure (closed for a range of days)"
    verbose_name_plural = "closures (closed for a range of days)"


class SpecialHoursFormSet(OpeningHoursFormSet):
    names = {"date": "Date", "opens": "Opens", "closes": "Closes", "DELETE": "Delete these hours"}


class SpecialHoursInline(HoursTable, ClinicScopedChoices, admin.TabularInline):
    """Hours for one date instead of the week's, e.g. opening on a statutory holiday."""

    model = SpecialHours
    formset = SpecialHoursFormSet
    extra = 0
    verbose_name = "special hours (one date, replacing the week's)"
    verbose_name_plural = "special hours (one date, replacing the week's)"


class LocationHoursForm(LocationForm):
    copy_monday = forms.BooleanField(
        label="Copy Monday's hours to Tuesday to Friday",
        required=False,
        help_text="Replaces Tuesday to Friday with Monday's hours when you save.",
    )


@admin.register(Location)
class LocationAdmin(ClinicScopedAdmin, ImportExportModelAdmin):
    clinic_lookup = "clinic"
    form = LocationHoursForm
    resource_classes = [LocationResource]
    list_display = ["__str__", "city", "province", "postal_code", "wheelchair_accessible", "map_link"]
    list_select_related = ["clinic"]
    list_filter = [ManagedClinicFilter, "province", "wheelchair_accessible"]
    search_fields = ["name", "street", "city", "postal_code", "clinic__name"]
    readonly_fields = ["map_link", "time_zone"]
    inlines = [OpeningHoursInline, ClosureInline, SpecialHoursInline]

    def get_inline_instances(self, request, obj=None):
        # Closures and special hours are for a location that exists: its add form stays short.
        inlines = super().get_inline_instances(request, obj)
        return inlines if obj is not None else [i for i in inlines if isinstance(i, OpeningHoursInline)]

    fieldsets = [
        (None, {"fields": ["clinic", "name", "phone", "wheelchair_accessible"]}),
        ("Address", {"fields": ["street", "city", "province", "postal_code"]}),
        (
            "Where patients find it",
            {
                "fields": [("latitude", "longitude"), "map_link"],
                "description": "Leave the coordinates empty to place the location from its postal code "
                "or city, then check the pin on the map.",
            },
        ),
        (
            "Hours",
            {
                "fields": ["time_zone", "copy_monday", ("closed_until", "closed_reason")],
                "description": "The weekly hours are below, in the location's own time zone (set from its "
                "coordinates). Statutory holidays of its province are closed unless special hours say "
                "it opens.",
            },
        ),
    ]

    map_link = staticmethod(map_link)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        clinics = list(managed_clinics(request.user)[:2])
        if len(clinics) == 1 and not _is_operator(request):
            initial.setdefault("clinic", clinics[0].pk)
        return initial

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        geocoded_message(request, form)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, OpeningHoursInline) and _without_hours(obj):
            kwargs["initial"] = [{"weekday": day} for day in range(5)]  # Monday to Friday, times to fill
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.cleaned_data.get("copy_monday"):
            hours.copy_monday_to_weekdays(form.instance)


# The clinic workspace (issue 16): list filters the home page links to.


class ToConfirmFilter(admin.SimpleListFilter):
    """Published listings whose details were not confirmed for six months or more."""

    title = _("details confirmed")
    parameter_name = "confirm"

    def lookups(self, request, model_admin):
        return [("due", _("Due for confirmation")), ("stale", _("Out of search (stale)"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return workspace.to_confirm(queryset)
        if self.value() == "stale":
            return queryset.published().stale()
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """Requests still new after one business day (workspace.contact_due)."""

    title = _("contact")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", _("Overdue: not contacted after one business day"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(pk__in=workspace.overdue_ids(queryset))
        return queryset


class OpenReportFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("closed", _("Closed"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


# Therapists.


class TherapistHoursFormSet(OpeningHoursFormSet):
    names = {"location": "Location", "weekday": "Day", "opens": "From", "closes": "To", "DELETE": "Delete"}


class TherapistHoursInline(HoursTable, ClinicScopedChoices, admin.TabularInline):
    """The days a therapist works at a location; none there means all its hours."""

    model = TherapistHours
    formset = TherapistHoursFormSet
    extra = 0
    verbose_name = "working hours (leave empty to work all of a location's hours)"
    verbose_name_plural = "working hours (leave empty to work all of a location's hours)"

    def get_queryset(self, request):
        # Hours at another clinic's locations are that clinic's business.
        own_locations = self.admin_site._registry[Location].get_queryset(request)
        return super().get_queryset(request).filter(location__in=own_locations)


class BookingLinkInline(ClinicScopedChoices, admin.TabularInline):
    """A booking link for one of the therapist's locations, when that clinic books elsewhere."""

    model = BookingLink
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    verbose_name_plural = _("booking links at a location (when it differs from the link above)")

    def get_queryset(self, request):
        # Links at another clinic's locations are that clinic's business.
        own_locations = self.admin_site._registry[Location].get_queryset(request)
        return super().get_queryset(request).filter(location__in=own_locations)


class TherapistForm(ClinicScopedForm):
    upload_photo = photos.PhotoField(shape=photos.HEADSHOT, label=_("Upload a photo"), required=False)
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    def clean(self):
        cleaned = super().clean()
        keeps = self.instance.photo and not cleaned.get("remove_photo")
        if (cleaned.get("upload_photo") is not None or keeps) and not (
            cleaned.get("photo_alt") or ""
        ).strip():
            self.add_error("photo_alt", PHOTO_ALT_REQUIRED)
        return cleaned


class ListEditForm(forms.ModelForm):
    """A row of the therapist list's editable columns: the column heading does not name an
    input for a screen reader, so each names itself and the therapist."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"new_patients": _("New patients"), "last_verified": _("Details confirmed")}
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].widget.attrs["aria-label"] = f"{label}: {self.instance.name}"


@admin.register(Therapist)
class TherapistAdmin(ClinicScopedAdmin, ImportExportModelAdmin):
    clinic_lookup = "locations__clinic"
    form = TherapistForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    resource_classes = [TherapistResource]
    list_display = [
        "name",
        "discipline",
        "practises_at",
        "is_published",
        "new_patients",
        "last_verified",
    ]
    list_display_links = ["name"]
    # The front desk keeps the new-patient state and the confirmation date true from the list.
    list_editable = ["new_patients", "last_verified"]
    list_select_related = ["discipline"]
    list_filter = [
        ManagedClinicFilter,
        ToConfirmFilter,
        "discipline",
        "is_published",
        "new_patients",
        "offers_virtual_care",
        "gender",
    ]
    # Only the therapist's own fields: searching by another clinic's name must not
    # tell a manager which of their therapists also work there.
    search_fields = ["first_name", "last_name", "slug", "registration_number"]
    autocomplete_fields = ["locations", "specialties", "languages"]
    prepopulated_fields = {"slug": ["first_name", "last_name"]}
    actions = ["publish", "unpublish", "mark_verified_today", "leave_my_locations"]
    inlines = [BookingLinkInline, TherapistHoursInline]
    readonly_fields = ["current_photo"]

    def get_changelist_form(self, request, **kwargs):
        return ListEditForm

    def get_inline_instances(self, request, obj=None):
        # Own days and links are set once the therapist practises somewhere: not on the add form.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "tags":  # a short reference list: ticking boxes needs no JavaScript
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("Current photo"))
    def current_photo(self, therapist):
        return photo_preview(therapist.photo, photos.HEADSHOT)

    def save_model(self, request, obj, form, change):
        photos.apply(
            obj,
            photos.HEADSHOT,
            form.cleaned_data.get("upload_photo"),
            remove=bool(form.cleaned_data.get("remove_photo")),
        )
        super().save_model(request, obj, form, change)

    fieldsets = [
        (None, {"fields": [("first_name", "last_name"), "slug", "discipline", "locations"]}),
        (
            "Registration",
            {
                "fields": [
                    "credentials",
                    ("registered_with", "registration_province"),
                    "registration_number",
                    "regulator",
                ]
            },
        ),
        # The bio in English and French (therapists.translation): French pages show the French one.
        ("Profile", {"fields": ["bio_en", "bio_fr", "gender", "pronouns", "languages", "specialties"]}),
        (
            _("Photo"),
            {
                "fields": ["current_photo", "upload_photo", "photo_alt", "remove_photo"],
                "description": _("A friendly headshot; cards show the initials until there is one."),
            },
        ),
        (
            _("Declared by the clinic"),
            {
                "fields": ["tags"],
                "description": _("Patients filter on these; the site labels them as declared by the clinic."),
            },
        ),
        (
            "Listing",
            {
                "fields": [
                    ("new_patients", "new_patients_as_of"),
                    "booking_url",
                    "offers_virtual_care",
                    "is_published",
                    "last_verified",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # The list shows each therapist's locations, limited to the user's own.
        own_locations = self.admin_site._registry[Location].get_queryset(request).select_related("clinic")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("locations", queryset=own_locations, to_attr="visible_locations"))
        )

    def owns(self, request, obj) -> bool:
        # Deleting a therapist blanks them on every consult request that names them:
        # another clinic's requests keep their therapist, so no full delete then.
        if not super().owns(request, obj):
            return False
        if obj is None or _is_operator(request):
            return True
        return not obj.consult_requests.exclude(clinic__in=_managed_clinic_ids(request)).exists()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if _is_operator(request):
            actions.pop("leave_my_locations", None)
        return actions

    @admin.display(description="Name", ordering="last_name")
    def name(self, therapist):
        return therapist.name

    @admin.display(description="Practises at")
    def practises_at(self, therapist):
        return "; ".join(str(location) for location in therapist.visible_locations)

    @admin.action(description="Publish selected therapists", permissions=["change"])
    def publish(self, request, queryset):
        count = update_and_log(request, queryset, "Published.", is_published=True)
        self.message_user(request, f"{count} therapist(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected therapists", permissions=["change"])
    def unpublish(self, request, queryset):
        count = update_and_log(request, queryset, "Unpublished.", is_published=False)
        self.message_user(request, f"{count} therapist(s) unpublished: patients no longer find them.")

    @admin.action(description="Take selected therapists off my clinics' locations", permissions=["change"])
    def leave_my_locations(self, request, queryset):
        count = take_off_locations(request, queryset, _managed_clinic_ids(request))
        self.message_user(
            request,
            f"{count} therapist(s) taken off your clinics' locations; other clinics keep theirs.",
            messages.SUCCESS,
        )

    @admin.action(description=_("Confirm these listings are current"), permissions=["change"])
    def mark_verified_today(self, request, queryset):
        today = timezone.localdate()
        count = update_and_log(request, queryset, "Details confirmed as current.", last_verified=today)
        self.message_user(
            request,
            _("%(count)d listing(s) confirmed as current today.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ConsultRequest)
class ConsultRequestAdmin(ClinicScopedAdmin, ExportMixin, admin.ModelAdmin):
    """Patients' consult requests: each clinic works only its own. Patients create
    them on the site, so nobody adds one here, and what the patient sent and
    consented to is read-only; the clinic changes the status and its notes, and
    who changed the status last, and when, is kept on the request."""

    clinic_lookup = "clinic"
    resource_classes = [ConsultRequestResource]

    class Media:
        css = {"all": ["css/admin-workspace.css"]}

    list_display = [
        "request",
        "age",
        "contact",
        "where_it_hurts",
        "therapist_and_location",
    ]
    list_display_links = ["request"]
    list_filter = [ManagedClinicFilter, OverdueFilter, "status", "meeting", "area"]
    list_select_related = ["clinic", "therapist", "area", "location"]
    search_fields = ["reference", "name", "email", "phone"]
    date_hierarchy = "created_at"
    actions = ["mark_contacted", "mark_booked", "mark_closed"]
    readonly_fields = [
        "reference",
        "clinic",
        "location",
        "therapist",
        "name",
        "email_link",
        "phone_link",
        "where_it_hurts",
        "meeting",
        "preferred_times",
        "message",
        "consent_at",
        "consent_version",
        "consent_text",
        "marketing_consent",
        "marketing_version",
        "marketing_text",
        "created_at",
        "notified_at",
        "status_changed_at",
        "status_changed_by",
    ]
    fieldsets = [
        ("Patient", {"fields": ["name", "phone_link", "email_link"]}),
        ("Follow-up", {"fields": ["status", ("status_changed_at", "status_changed_by"), "clinic_notes"]}),
        (
            "Request",
            {
                "fields": [
                    "reference",
                    "clinic",
                    "location",
                    "therapist",
                    "where_it_hurts",
                    "meeting",
                    "preferred_times",
                    "message",
                    "created_at",
                ]
            },
        ),
        (
            "Consent",
            {
                "fields": [
                    "consent_at",
                    "consent_version",
                    "consent_text",
                    "marketing_consent",
                    "marketing_version",
                    "marketing_text",
                ]
            },
        ),
        ("Notification", {"fields": ["notified_at"]}),
    ]

    def has_add_permission(self, request, *args):
        return False

    def get_queryset(self, request):
        # Each row carries its province and time zone: "overdue" needs no query per row.
        return workspace.with_calendar(super().get_queryset(request))

    @admin.display(description=_("Age"), ordering="created_at")
    def age(self, consult):
        age = timesince(consult.created_at, depth=1)
        if workspace.is_overdue(consult):
            # Not by colour alone: the word says it, the class only adds emphasis.
            return format_html('<strong class="overdue">{}</strong><br>{}', _("Overdue"), age)
        return age

    @admin.display(description=_("Request and status"), ordering="status")
    def request(self, consult):
        return format_html("{}<br>{}", consult.reference, consult.get_status_display())

    @admin.display(description=_("Patient"), ordering="name")
    def contact(self, consult):
        return format_html("{}<br>{}<br>{}", consult.name, self.phone_link(consult), self.email_link(consult))

    @admin.display(description=_("Phone"))
    def phone_link(self, consult):
        return format_html('<a href="tel:{}">{}</a>', consult.phone, consult.phone) if consult.phone else ""

    @admin.display(description=_("Email"))
    def email_link(self, consult):
        if not consult.email:
            return ""
        return format_html('<a href="mailto:{}">{}</a>', consult.email, consult.email)

    @admin.display(description=_("Therapist and location"))
    def therapist_and_location(self, consult):
        therapist = consult.therapist.name if consult.therapist else _("Anyone at the clinic")
        where = consult.location.address if consult.location else consult.clinic.name
        return format_html("{}<br><small>{}</small>", therapist, where)

    @admin.display(description="Where it hurts", ordering="area__position")
    def where_it_hurts(self, consult):
        return consult.where_it_hurts

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.status_changed_at = timezone.now()
            obj.status_changed_by = request.user
        super().save_model(request, obj, form, change)

    def _set_status(self, request, queryset, status: str) -> None:
        label = ConsultStatus(status).label
        count = update_and_log(
            request,
            queryset,
            f"Marked {label.lower()}.",
            status=status,
            status_changed_at=timezone.now(),
            status_changed_by=request.user,
        )
        self.message_user(request, f"{count} request(s) marked {label.lower()}.", messages.SUCCESS)

    @admin.action(description="Mark selected requests as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, ConsultStatus.CONTACTED)

    @admin.action(description="Mark selected requests as booked", permissions=["change"])
    def mark_booked(self, request, queryset):
        self._set_status(request, queryset, ConsultStatus.BOOKED)

    @admin.action(description="Mark selected requests as closed", permissions=["change"])
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, ConsultStatus.CLOSED)


# Reference data: everyone with the view permission may look; only the operator edits.


@admin.register(Discipline)
class DisciplineAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "abbreviation", "practitioner_title", "slug"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(BodyArea)
class BodyAreaAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "position", "slug"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Specialty)
class SpecialtyAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["body_areas"]
    search_fields = ["name"]
    filter_horizontal = ["body_areas"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Tag)
class TagAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "position", "slug"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Payer)
class PayerAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Place)
class PlaceAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    operator_only = True
    list_display = ["name", "kind", "province", "population", "latitude", "longitude"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "search_name", "code"]
    show_full_result_count = False


# The clinic workspace (issue 16): the home page, outdated-information reports,
# regulators, and the counters that show where patients find nobody.

admin.site.site_header = _("Therapist Finder, clinic admin")
admin.site.site_title = _("Therapist Finder, clinic admin")
admin.site.index_title = _("Today")

_stock_index = admin.site.index


def workspace_index(request, extra_context=None):
    """The admin's home: the clinic's day (every clinic's for the operator), then the lists."""
    day = workspace.clinic_day(managed_clinics(request.user), operator=_is_operator(request))
    return _stock_index(request, {**(extra_context or {}), "day": day})


admin.site.index = workspace_index


class CloseReportForm(ClinicScopedForm):
    close = forms.BooleanField(
        label=_("Close this report"),
        required=False,
        help_text=_("Once the listing is corrected, or you found nothing wrong: say which in the note."),
    )

    class Meta:
        model = OutdatedReport
        fields = ["closing_note"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("close") and not cleaned.get("closing_note", "").strip():
            self.add_error("closing_note", _("Say what you changed, or why nothing needed changing."))
        return cleaned


@admin.register(OutdatedReport)
class OutdatedReportAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    """Visitors' reports of outdated information: the clinic checks and closes each with a note."""

    clinic_lookup = "clinic"
    form = CloseReportForm
    list_display = ["__str__", "created_at", "what_is_wrong", "clinic", "is_open"]
    list_filter = [OpenReportFilter, ManagedClinicFilter]
    list_select_related = ["clinic", "therapist"]
    readonly_fields = [
        "clinic",
        "therapist_link",
        "what_is_wrong",
        "note",
        "email_link",
        "created_at",
        "closed_at",
        "closed_by",
    ]
    fieldsets = [
        (None, {"fields": ["clinic", "therapist_link", "what_is_wrong", "note", "email_link", "created_at"]}),
        (_("Closing"), {"fields": ["closing_note", "close", "closed_at", "closed_by"]}),
    ]

    def has_add_permission(self, request, *args):
        return False

    @admin.display(description=_("What is wrong"))
    def what_is_wrong(self, report):
        return report.what_is_wrong

    @admin.display(description=_("Open"), boolean=True)
    def is_open(self, report):
        return report.closed_at is None

    @admin.display(description=_("Therapist"))
    def therapist_link(self, report):
        if report.therapist is None:
            return _("The clinic's page")
        url = reverse("admin:therapists_therapist_change", args=[report.therapist.pk])
        return format_html('<a href="{}">{}</a>', url, report.therapist.name)

    @admin.display(description=_("Email for a reply"))
    def email_link(self, report):
        return format_html('<a href="mailto:{}">{}</a>', report.email, report.email) if report.email else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("close") and obj.closed_at is None:
            reports.close(obj, request.user, obj.closing_note)


@admin.register(Regulator)
class RegulatorAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "province", "discipline", "kind", "register_link"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["province", "discipline", "kind"]
    list_select_related = ["discipline"]
    search_fields = ["name", "abbreviation"]

    @admin.display(description=_("Public register"))
    def register_link(self, regulator):
        url = regulator.register_url
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, url)


class CountersAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    """Counters the site keeps: read, never written by hand."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return _is_operator(request) and super().has_delete_permission(request, obj)


@admin.register(SearchGap)
class SearchGapAdmin(CountersAdmin):
    operator_only = True
    list_display = ["week", "place", "province", "filters", "searches"]
    list_filter = ["week", "province"]
    search_fields = ["place"]
    date_hierarchy = "week"


@admin.register(ListingWeek)
class ListingWeekAdmin(CountersAdmin):
    clinic_lookup = "therapist__locations__clinic"
    list_display = ["week", "therapist", "shown", "opened"]
    list_filter = ["week"]
    list_select_related = ["therapist"]
