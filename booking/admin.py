"""The clinic's side of online booking: which therapists take bookings where, what can
be booked, and the bookings in a day or week view with confirm, cancel and no-show;
staff block time and book on a patient's behalf. Every ModelAdmin here uses the
clinic-scoping mixin of `therapists.admin`, so a clinic sees only its own."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import bookings, slots
from booking.models import AppointmentType, Booking, BookingStatus, OnlineBooking
from therapists.admin import ClinicScopedAdmin, ClinicScopedForm, ManagedClinicFilter, managed_clinics
from therapists.hours import clock
from therapists.models import Fee

CALENDAR_DAYS = {"day": 1, "week": 7}


class AppointmentTypeForm(ClinicScopedForm):
    def clean(self):
        data = super().clean()
        fee, clinic = data.get("fee"), data.get("clinic")
        if fee and clinic and fee.clinic_id != clinic.pk:
            self.add_error("fee", _("Choose a fee of this clinic."))
        return data


@admin.register(AppointmentType)
class AppointmentTypeAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    clinic_lookup = "clinic"
    list_display = [
        "name",
        "clinic",
        "minutes",
        "buffer_minutes",
        "meeting",
        "is_free_consult",
        "fee",
        "is_active",
    ]
    list_filter = [ManagedClinicFilter, "is_active"]
    list_select_related = ["clinic", "fee"]
    search_fields = ["name"]
    autocomplete_fields = ["clinic"]
    form = AppointmentTypeForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Fees have no admin of their own (they are edited inline on the clinic), so the
        # mixin cannot scope this choice: a manager picks among their own clinics' fees.
        if db_field.name == "fee":
            kwargs["queryset"] = Fee.objects.filter(clinic__in=managed_clinics(request.user)).select_related(
                "clinic", "therapist"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        slots.refresh_next_available(clinic=obj.clinic_id)


@admin.register(OnlineBooking)
class OnlineBookingAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    clinic_lookup = "location__clinic"
    list_display = ["therapist", "location", "is_active", "next_free", "cutoff_hours", "window_days"]
    list_filter = [ManagedClinicFilter, "is_active"]
    list_select_related = ["therapist", "location__clinic"]
    search_fields = ["therapist__last_name", "therapist__first_name", "location__name"]
    autocomplete_fields = ["therapist", "location"]
    readonly_fields = ["next_free_at", "refreshed_at"]

    @admin.display(description=_("next available"), ordering="next_free_at")
    def next_free(self, obj):
        if obj.next_free_at is None:
            return "—"
        return slots.full_words(obj.next_free_at, obj.location.time_zone)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        slots.refresh_next_available(therapist=obj.therapist_id, location=obj.location_id)


class StaffBookingForm(forms.Form):
    """Book on a patient's behalf, or block time (no patient)."""

    online = forms.ModelChoiceField(queryset=OnlineBooking.objects.none(), label=_("Therapist and location"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput({"type": "date"}))
    time = forms.TimeField(label=_("Time (the location's clock)"), widget=forms.TimeInput({"type": "time"}))
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.none(), required=False, label=_("Appointment type")
    )
    minutes = forms.IntegerField(
        min_value=15, max_value=12 * 60, initial=60, required=False, label=_("Block for (minutes)")
    )
    name = forms.CharField(max_length=120, required=False, label=_("Patient's name"))
    email = forms.EmailField(required=False, label=_("Patient's email"))
    phone = forms.CharField(max_length=32, required=False, label=_("Patient's phone"))
    note = forms.CharField(max_length=200, required=False, label=_("Note (staff only)"))

    def __init__(self, *args, onlines, types, blocking: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.blocking = blocking
        self.fields["online"].queryset = onlines
        self.fields["appointment_type"].queryset = types
        for name in ("name", "email", "phone", "appointment_type") if blocking else ("minutes",):
            del self.fields[name]
        if not blocking:
            for name in ("name", "appointment_type"):
                self.fields[name].required = True

    def clean(self):
        data = super().clean()
        online, day, time = data.get("online"), data.get("day"), data.get("time")
        if online and day and time:
            zone = ZoneInfo(online.location.time_zone)
            data["start"] = datetime.datetime.combine(day, time, tzinfo=zone).astimezone(datetime.UTC)
            kind = data.get("appointment_type")
            if kind and kind.clinic_id != online.location.clinic_id:
                self.add_error("appointment_type", _("Choose a type of this location's clinic."))
        return data


@admin.register(Booking)
class BookingAdmin(ClinicScopedAdmin, admin.ModelAdmin):
    clinic_lookup = "location__clinic"
    list_display = ["start_local", "kind", "therapist", "location", "appointment_type", "status", "reference"]
    list_filter = [ManagedClinicFilter, "status", "kind"]
    list_select_related = ["therapist", "location__clinic", "appointment_type"]
    search_fields = ["reference", "name", "email"]
    date_hierarchy = "start"
    change_list_template = "admin/booking/booking/change_list.html"
    actions = ["confirm", "cancel", "no_show"]
    readonly_fields = [
        "kind", "therapist", "location", "appointment_type", "start", "end", "status", "reference",
        "name", "email", "phone", "booked_by_staff", "consent_at", "consent_version", "consent_text",
        "notified_at", "reminded_at", "created_at",
    ]  # fmt: skip
    fields = [*readonly_fields[:11], "note", *readonly_fields[11:]]

    @admin.display(description=_("starts"), ordering="start")
    def start_local(self, obj):
        local = obj.start.astimezone(ZoneInfo(obj.location.time_zone))
        return f"{local:%a %Y-%m-%d} {clock(local.time())}"

    def has_add_permission(self, request, *args):
        # Bookings and blocks are made through the calendar's forms, which claim the time.
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the record of what was booked stays

    def _set(self, request, queryset, status, words):
        changed = 0
        for booking in queryset:
            bookings.set_status(booking, status)
            changed += 1
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=list(queryset), action_flag=CHANGE, change_message=words
        )
        self.message_user(request, _("%(count)d bookings updated.") % {"count": changed})

    @admin.action(description=_("Confirm"), permissions=["change"])
    def confirm(self, request, queryset):
        self._set(request, queryset.holding(), BookingStatus.CONFIRMED, "Confirmed.")

    @admin.action(description=_("Cancel (frees the time)"), permissions=["change"])
    def cancel(self, request, queryset):
        self._set(request, queryset.holding(), BookingStatus.CANCELLED, "Cancelled.")

    @admin.action(description=_("Mark as no-show"), permissions=["change"])
    def no_show(self, request, queryset):
        self._set(request, queryset.holding(), BookingStatus.NO_SHOW, "No-show.")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("calendar/", view(self.calendar_view), name="booking_booking_calendar"),
            path("calendar/<int:pk>/status/", view(self.status_view), name="booking_booking_status"),
            path("book/", view(self.staff_view), {"blocking": False}, name="booking_booking_book"),
            path("block/", view(self.staff_view), {"blocking": True}, name="booking_booking_block"),
            *super().get_urls(),
        ]

    def _onlines(self, request):
        scoped = OnlineBooking.objects.filter(
            pk__in=admin.site._registry[OnlineBooking].get_queryset(request).values("pk")
        )
        return scoped.select_related("therapist", "location__clinic")

    def calendar_view(self, request):
        """The clinic's bookings for a day or a week, by day, each with its actions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        span = request.GET.get("span") if request.GET.get("span") in CALENDAR_DAYS else "day"
        try:
            first = datetime.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            first = timezone.localdate()
        if span == "week":
            first -= datetime.timedelta(days=first.weekday())
        days = [first + datetime.timedelta(days=n) for n in range(CALENDAR_DAYS[span])]
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
        end = start + datetime.timedelta(days=len(days))
        rows = (
            self.get_queryset(request)
            .between(start - datetime.timedelta(hours=12), end + datetime.timedelta(hours=12))
            .select_related("therapist", "location__clinic", "appointment_type")
            .order_by("start", "pk")
        )
        by_day = {day: [] for day in days}
        for booking in rows:
            local = booking.start.astimezone(ZoneInfo(booking.location.time_zone))
            if local.date() in by_day:
                booking.local_time = clock(local.time())
                by_day[local.date()].append(booking)
        step = datetime.timedelta(days=len(days))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Bookings"),
            "span": span,
            "days": list(by_day.items()),
            "previous": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "first": first.isoformat(),
            "may_change": self.has_change_permission(request),
            "holding": [s.value for s in (BookingStatus.BOOKED, BookingStatus.CONFIRMED)],
        }
        return TemplateResponse(request, "admin/booking/calendar.html", context)

    def status_view(self, request, pk):
        """Confirm, cancel or mark a no-show from the calendar (POST only)."""
        booking = self.get_queryset(request).filter(pk=pk).first()
        status = request.POST.get("status")
        if request.method != "POST" or booking is None or not self.has_change_permission(request, booking):
            raise PermissionDenied
        if status in BookingStatus.values and booking.status in (
            BookingStatus.BOOKED,
            BookingStatus.CONFIRMED,
        ):
            bookings.set_status(booking, status)
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=[booking],
                action_flag=CHANGE,
                change_message=f"Status: {status}.",
                single_object=True,
            )
        return redirect(f"{reverse('admin:booking_booking_calendar')}?{request.POST.get('back', '')}")

    def staff_view(self, request, blocking: bool):
        """Book on a patient's behalf, or block time; the same claim as a patient's booking."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        onlines = self._onlines(request)
        types = AppointmentType.objects.filter(
            clinic__in=onlines.values("location__clinic"), is_active=True
        ).select_related("clinic")
        form = StaffBookingForm(request.POST or None, onlines=onlines, types=types, blocking=blocking)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            online = data["online"]
            try:
                if blocking:
                    end = data["start"] + datetime.timedelta(minutes=data["minutes"] or 60)
                    made = bookings.block(online, data["start"], end, data["note"])
                else:
                    details = {key: data[key] for key in ("name", "email", "phone", "note")}
                    made = bookings.book(
                        online, data["appointment_type"], data["start"], details, by_staff=True
                    )
            except bookings.SlotTaken:
                form.add_error(None, _("That time is taken or outside the therapist's hours there."))
            else:
                self.log_addition(request, made, [{"added": {}}])
                messages.success(request, _("Saved: %(booking)s") % {"booking": made})
                local = made.start.astimezone(ZoneInfo(online.location.time_zone)).date()
                return redirect(f"{reverse('admin:booking_booking_calendar')}?date={local.isoformat()}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Block time") if blocking else _("Book for a patient"),
            "form": form,
        }
        return TemplateResponse(request, "admin/booking/staff_form.html", context)
