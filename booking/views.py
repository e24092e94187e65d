"""The patient's booking pages: choose a time, give details and consent, confirm;
and the signed links to cancel or reschedule. Abuse limits are the consult form's."""

import datetime
import itertools
from zoneinfo import ZoneInfo

from django.core import signing
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format

from booking import bookings, slots
from booking.forms import BookingForm, RescheduleForm
from booking.models import AppointmentType, Booking, OnlineBooking
from therapists import hours, leads
from therapists.forms import started_token
from therapists.views import consult_limit_reached, count_consult_request

DONE_SALT = "booking.done"
DONE_MAX_AGE = 60 * 60  # seconds the confirmation page can be reopened
MINE_KEY = "bookings"
OFFERED = 5  # free times offered when the one chosen was taken


def _online(slug: str, location: int) -> OnlineBooking:
    return get_object_or_404(
        OnlineBooking.objects.active()
        .select_related("therapist", "location__clinic")
        .prefetch_related("location__opening_hours", "location__closures", "location__special_hours")
        .filter(therapist__is_published=True),
        therapist__slug=slug,
        location=location,
    )


def _types(online: OnlineBooking) -> list[AppointmentType]:
    return list(AppointmentType.objects.filter(clinic=online.location.clinic_id, is_active=True))


def _chosen_type(types: list[AppointmentType], wanted: str | None) -> AppointmentType:
    by_id = {str(t.pk): t for t in types}
    return by_id.get((wanted or "").strip()) or slots.headline_type(types)


def _labels(times, zone: str) -> dict[str, str]:
    return {time.isoformat(): slots.full_words(time, zone) for time in times}


def _by_day(times, zone: str) -> list[tuple[str, list[tuple[datetime.datetime, str]]]]:
    """Free times grouped by local date, for the time picker."""
    local = ZoneInfo(zone)
    days = []
    for day, group in itertools.groupby(times, key=lambda t: t.astimezone(local).date()):
        days.append(
            (
                date_format(day, "l j F"),
                [(t, hours.clock(t.astimezone(local).time())) for t in group],
            )
        )
    return days


def choose_time(request, slug, location):
    online = _online(slug, location)
    types = _types(online)
    if not types:
        raise Http404("Nothing can be booked online here.")
    kind = _chosen_type(types, request.GET.get("type"))
    times = slots.free_slots(online, kind)
    # A week of times a page: the first page starts at the first free time.
    weeks = max(1, -(-online.window_days // 7))
    try:
        week = min(max(int(request.GET.get("week", "0")), 0), weeks - 1)
    except ValueError:
        week = 0
    if times:
        first = times[0] + datetime.timedelta(days=7 * week)
        times = [t for t in times if first <= t < first + datetime.timedelta(days=7)]
    context = {
        "online": online,
        "therapist": online.therapist,
        "clinic": online.location.clinic,
        "types": types,
        "kind": kind,
        "days": _by_day(times, online.location.time_zone),
        "zone": online.location.time_zone,
        "earlier": week - 1 if week > 0 else None,
        "later": week + 1 if week + 1 < weeks else None,
    }
    return render(request, "booking/choose_time.html", context)


def details(request, slug, location):
    online = _online(slug, location)
    types = _types(online)
    if not types:
        raise Http404("Nothing can be booked online here.")
    data = request.POST if request.method == "POST" else None
    kind = _chosen_type(types, (data or request.GET).get("type"))
    free = slots.free_slots(online, kind)
    wanted = (data or request.GET).get("start", "")
    offered = [t for t in free if t.isoformat() == wanted] + [t for t in free if t.isoformat() != wanted][
        :OFFERED
    ]
    offered.sort()
    zone = online.location.time_zone
    form = BookingForm(
        data,
        times=offered if data is None else free,
        labels=_labels(free, zone),
        consent_label=bookings.consent_text(online),
        initial={"start": wanted},
    )
    context = {"online": online, "therapist": online.therapist, "clinic": online.location.clinic}
    context.update(kind=kind, form=form, offered=offered, zone=zone)
    if data is None:
        if not any(t.isoformat() == wanted for t in free):
            context["gone"] = bool(wanted)
        return render(request, "booking/details.html", context)
    if form.is_spam:
        return render(request, "therapists/consult_rejected.html", context, status=400)
    if consult_limit_reached(request):
        context["limited"] = True
        return render(request, "booking/details.html", context, status=429)
    if not form.is_valid():
        return _again(request, form, context, free)
    if leads.claim_form(form.data["started"]) is not None:  # a used form: one booking per form
        return _again(request, form, context, free)
    try:
        booking = bookings.book(online, kind, form.cleaned_data["start"], form.details())
    except bookings.SlotTaken:
        context["taken"] = True
        free = slots.free_slots(online, kind)
        return _again(request, form, context, free, drop_start=True)
    leads.remember_form(form.data["started"], booking.reference)
    count_consult_request(request)
    request.session[MINE_KEY] = [*request.session.get(MINE_KEY, [])[-19:], booking.reference]
    bookings.notify_clinic(booking)
    bookings.confirm_to_patient(booking)
    done = signing.dumps(booking.reference, salt=DONE_SALT)
    return redirect(f"{reverse('booking:done')}?ref={done}")


def _again(request, form, context, free, drop_start=False):
    """The form back with everything typed, offering the next free times (the one
    chosen first while it is still free)."""
    data = form.data.copy()
    data["started"] = started_token(ready=True)
    wanted = "" if drop_start else data.get("start", "")
    if drop_start:
        data.pop("start", None)
    offered = sorted(
        [t for t in free if t.isoformat() == wanted] + [t for t in free if t.isoformat() != wanted][:OFFERED]
    )
    again = BookingForm(
        data,
        times=offered,
        labels=_labels(offered, context["zone"]),
        consent_label=form.fields["consent"].label,
    )
    again.is_valid()
    if drop_start:
        again.errors.pop("start", None)
    context.update(form=again, offered=offered)
    return render(request, "booking/details.html", context, status=409 if drop_start else 200)


def done(request):
    """The confirmation page, for the browser that booked."""
    try:
        reference = signing.loads(request.GET.get("ref", ""), salt=DONE_SALT, max_age=DONE_MAX_AGE)
    except signing.BadSignature:
        reference = None
    booking = (
        Booking.objects.select_related("location__clinic", "therapist", "appointment_type")
        .filter(reference=reference)
        .first()
    )
    if booking is None or reference not in request.session.get(MINE_KEY, []):
        return render(request, "booking/done.html", {"booking": None}, status=404)
    context = {
        "booking": booking,
        "when": slots.full_words(booking.start, booking.location.time_zone),
        "token": bookings.manage_token(booking),
    }
    return render(request, "booking/done.html", context)


def cancel(request, token):
    booking = bookings.from_token(token)
    if booking is None:
        return render(request, "booking/cancel.html", {"booking": None}, status=404)
    context = {
        "booking": booking,
        "when": slots.full_words(booking.start, booking.location.time_zone),
        "changeable": bookings.changeable(booking),
    }
    if request.method == "POST" and context["changeable"]:
        bookings.cancel(booking)
        bookings.notify_clinic(booking, news="Cancelled")
        context["cancelled"] = True
    return render(request, "booking/cancel.html", context)


def reschedule(request, token):
    booking = bookings.from_token(token)
    if booking is None:
        return render(request, "booking/reschedule.html", {"booking": None}, status=404)
    online = get_object_or_404(
        OnlineBooking.objects.select_related("location__clinic", "therapist"),
        therapist=booking.therapist_id,
        location=booking.location_id,
    )
    zone = booking.location.time_zone
    free = slots.free_slots(online, booking.appointment_type)
    data = request.POST if request.method == "POST" else None
    form = RescheduleForm(data, times=free[:40], labels=_labels(free[:40], zone))
    context = {
        "booking": booking,
        "when": slots.full_words(booking.start, zone),
        "changeable": bookings.changeable(booking),
        "form": form,
    }
    if data is not None and context["changeable"] and form.is_valid():
        try:
            moved = bookings.reschedule(booking, form.cleaned_data["start"])
        except bookings.SlotTaken:
            context["taken"] = True
            return render(request, "booking/reschedule.html", context, status=409)
        bookings.notify_clinic(moved, news="Rescheduled")
        bookings.confirm_to_patient(moved)
        context.update(moved=moved, when=slots.full_words(moved.start, zone))
    return render(request, "booking/reschedule.html", context)


# SMART Scheduling Links (booking.smart, imported when asked for: fhir.resources is big).


def smart_manifest(request):
    from booking import smart

    response = JsonResponse(smart.manifest(hours.current_time()))
    response["Cache-Control"] = "public, max-age=300"
    return response


def smart_file(request, kind):
    from booking import smart

    if kind not in smart.FILES:
        raise Http404("No such file.")
    response = StreamingHttpResponse(smart.ndjson(kind), content_type="application/fhir+ndjson")
    response["Cache-Control"] = "public, max-age=300"
    return response
