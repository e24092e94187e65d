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
from django.db import models
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin

from therapists import geo, geocoding, hours, uploads
from therapists.models import (
    BodyArea,
    Clinic,
    Closure,
    ConsultRequest,
    ConsultStatus,
    Discipline,
    Fee,
    Language,
    Location,
    OpeningHours,
    Payer,
    Place,
    SpecialHours,
    Specialty,
    Therapist,
    TherapistHours,
)
from therapists.resources import LocationResource, SafeCSV, TherapistResource


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


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    clinic_lookup = "pk"
    list_display = ["name", "phone", "email", "location_count"]
    list_filter = ["payers"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["managers"]
    # The description is edited in English and French (description_en, description_fr).
    exclude = ["description"]
    inlines = [LocationInline, FeeInline]
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

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
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


class OpeningHoursInline(ClinicScopedChoices, admin.TabularInline):
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


class ClosureInline(ClinicScopedChoices, admin.TabularInline):
    """Closed for a range of days: the empty row is always there, so a closure is two
    dates and Save."""

    model = Closure
    formset = ClosureFormSet
    extra = 1
    verbose_name = "closure (closed for a range of days)"


class SpecialHoursFormSet(OpeningHoursFormSet):
    names = {"date": "Date", "opens": "Opens", "closes": "Closes", "DELETE": "Delete these hours"}


class SpecialHoursInline(ClinicScopedChoices, admin.TabularInline):
    """Hours for one date instead of the week's, e.g. opening on a statutory holiday."""

    model = SpecialHours
    formset = SpecialHoursFormSet
    extra = 0
    verbose_name = "special hours (one date, replacing the week's)"


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


# Therapists.


class TherapistHoursFormSet(OpeningHoursFormSet):
    names = {"location": "Location", "weekday": "Day", "opens": "From", "closes": "To", "DELETE": "Delete"}


class TherapistHoursInline(ClinicScopedChoices, admin.TabularInline):
    """The days a therapist works at a location; none there means all its hours."""

    model = TherapistHours
    formset = TherapistHoursFormSet
    extra = 0
    verbose_name = "working hours (leave empty to work all of a location's hours)"

    def get_queryset(self, request):
        # Hours at another clinic's locations are that clinic's business.
        own_locations = self.admin_site._registry[Location].get_queryset(request)
        return super().get_queryset(request).filter(location__in=own_locations)


@admin.register(Therapist)
class TherapistAdmin(ClinicScopedAdmin, ImportExportModelAdmin):
    clinic_lookup = "locations__clinic"
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
    list_select_related = ["discipline"]
    list_filter = [
        ManagedClinicFilter,
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
    inlines = [TherapistHoursInline]

    def get_inline_instances(self, request, obj=None):
        # Own days are set once the therapist practises somewhere: not on the add form.
        return super().get_inline_instances(request, obj) if obj is not None else []

    fieldsets = [
        (None, {"fields": [("first_name", "last_name"), "slug", "discipline", "locations"]}),
        ("Registration", {"fields": ["credentials", "regulator", "registration_number"]}),
        # The bio in English and French (therapists.translation): French pages show the French one.
        ("Profile", {"fields": ["bio_en", "bio_fr", "gender", "pronouns", "languages", "specialties"]}),
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

    @admin.action(description="Mark selected therapists as verified today", permissions=["change"])
    def mark_verified_today(self, request, queryset):
        today = timezone.localdate()
        count = update_and_log(request, queryset, f"Verified on {today:%Y-%m-%d}.", last_verified=today)
        self.message_user(request, f"{count} therapist(s) marked as verified on {today:%Y-%m-%d}.")


@admin.register(ConsultRequest)
class ConsultRequestAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    """Patients' consult requests: each clinic works only its own. Patients create
    them on the site, so nobody adds one here, and what the patient sent and
    consented to is read-only; the clinic changes the status and its notes."""

    clinic_lookup = "clinic"
    list_display = [
        "__str__",
        "created_at",
        "name",
        "therapist",
        "clinic",
        "where_it_hurts",
        "meeting",
        "status",
        "notified",
    ]
    list_display_links = ["__str__"]
    list_filter = [ManagedClinicFilter, "status", "meeting", "area"]
    list_select_related = ["clinic", "therapist", "area"]
    search_fields = ["reference", "name", "email", "phone"]
    date_hierarchy = "created_at"
    actions = ["mark_contacted", "mark_booked", "mark_closed"]
    readonly_fields = [
        "reference",
        "clinic",
        "location",
        "therapist",
        "name",
        "email",
        "phone",
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
    ]
    fieldsets = [
        (None, {"fields": ["status", "clinic_notes"]}),
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
        ("Patient", {"fields": ["name", "email", "phone"]}),
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

    @admin.display(description="Where it hurts", ordering="area__position")
    def where_it_hurts(self, consult):
        return consult.where_it_hurts

    @admin.display(description="Clinic emailed", boolean=True)
    def notified(self, consult):
        return consult.notified_at is not None

    def _set_status(self, request, queryset, status: str) -> None:
        label = ConsultStatus(status).label
        count = update_and_log(request, queryset, f"Marked {label.lower()}.", status=status)
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
