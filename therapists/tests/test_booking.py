"""Online booking: slots from working hours, claims the database refuses to double,
the patient's pages and emails, the admin's calendar.

(Tests live beside the therapists app's so they share its conftest fixtures and
`make_*` helpers; the code they test is the `booking` app.)
"""

import datetime
import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import translation

from booking import bookings, slots
from booking.models import Booking, BookingStatus, OnlineBooking, SlotCell
from therapists import hours
from therapists.models import Closure
from therapists.tests.factories import (
    make_appointment_type,
    make_clinic,
    make_location,
    make_manager,
    make_online_booking,
    make_therapist,
    make_user,
)

WINNIPEG = ZoneInfo("America/Winnipeg")
# Monday 7 December 2026, 8 am in Winnipeg: no holiday that week.
MONDAY_8AM = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=WINNIPEG)
TUESDAY = datetime.date(2026, 12, 8)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A Winnipeg wall-clock time as UTC."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=WINNIPEG).astimezone(
        datetime.UTC
    )


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(hours, "current_time", lambda: MONDAY_8AM)
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_8AM.astimezone(datetime.UTC))
    return MONDAY_8AM


PATIENT = {"name": "Sam Patient", "email": "sam@example.com", "phone": "+12045550123"}


# Slots from working hours.


def test_slots_follow_the_working_hours_in_the_locations_zone():
    calendar = hours.Calendar(
        zone="America/Winnipeg", province="MB", weekly={1: [(datetime.time(9), datetime.time(11))]}
    )

    starts = slots.starts_in_hours(calendar, TUESDAY, 1, minutes=60)

    assert starts == [
        at(TUESDAY, 9),
        at(TUESDAY, 9, 15),
        at(TUESDAY, 9, 30),
        at(TUESDAY, 9, 45),
        at(TUESDAY, 10),
    ]


@pytest.mark.parametrize(
    ("before", "change"),
    [
        (datetime.date(2027, 3, 13), datetime.date(2027, 3, 14)),
        (datetime.date(2027, 11, 6), datetime.date(2027, 11, 7)),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_daylight_time_changes_neither_create_nor_lose_slots(before, change):
    week = {day: [(datetime.time(9), datetime.time(17))] for day in range(7)}
    calendar = hours.Calendar(zone="America/Winnipeg", province="MB", weekly=week)

    ordinary = slots.starts_in_hours(calendar, before, 1, minutes=15)
    changed = slots.starts_in_hours(calendar, change, 1, minutes=15)

    assert len(changed) == len(ordinary) == 32
    assert changed[0].astimezone(WINNIPEG).time() == datetime.time(9)
    assert changed[-1].astimezone(WINNIPEG).time() == datetime.time(16, 45)


def test_a_closure_and_a_holiday_have_no_slots():
    week = {day: [(datetime.time(9), datetime.time(17))] for day in range(7)}
    calendar = hours.Calendar(
        zone="America/Winnipeg",
        province="MB",
        weekly=week,
        closures=[(TUESDAY, TUESDAY, "renovation")],
    )

    assert slots.starts_in_hours(calendar, TUESDAY, 1, 15) == []
    assert slots.starts_in_hours(calendar, datetime.date(2026, 12, 25), 1, 15) == []


@pytest.mark.django_db
def test_free_slots_start_after_the_minimum_notice(clock):
    online = make_online_booking(notice_hours=2)

    first = slots.free_slots(online, online.location.clinic.appointment_types.get(), limit=1)

    assert first == [at(clock.date(), 10)]


# Claims.


@pytest.mark.django_db
def test_a_booked_slot_is_no_longer_free_and_cannot_be_booked_again(clock):
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    bookings.book(online, consult, at(TUESDAY, 10), PATIENT)

    with pytest.raises(bookings.SlotTaken):
        bookings.book(online, consult, at(TUESDAY, 10), {**PATIENT, "name": "Someone Else"})

    assert at(TUESDAY, 10) not in slots.free_slots(online, consult)
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_overlapping_appointment_types_cannot_overlap(clock):
    online = make_online_booking()
    long = make_appointment_type(online.location.clinic, minutes=60, buffer_minutes=15)
    consult = online.location.clinic.appointment_types.get(is_free_consult=True)
    bookings.book(online, long, at(TUESDAY, 10), PATIENT)

    for taken in (at(TUESDAY, 10, 30), at(TUESDAY, 11)):  # inside the hour, then inside the buffer
        with pytest.raises(bookings.SlotTaken):
            bookings.book(online, consult, taken, PATIENT)
    later = bookings.book(online, consult, at(TUESDAY, 11, 15), PATIENT)

    assert later.pk
    assert at(TUESDAY, 9, 45) in slots.free_slots(online, consult)
    assert at(TUESDAY, 9, 45) not in slots.free_slots(online, long)  # would run into 10:00


@pytest.mark.django_db
def test_a_therapist_cannot_be_booked_at_two_locations_at_once(clock):
    therapist = make_therapist(locations=[])
    here, there = make_location(), make_location()
    therapist.locations.set([here, there])
    first = make_online_booking(therapist, here)
    second = make_online_booking(therapist, there)
    bookings.book(first, here.clinic.appointment_types.get(), at(TUESDAY, 10), PATIENT)

    with pytest.raises(bookings.SlotTaken):
        bookings.book(second, there.clinic.appointment_types.get(), at(TUESDAY, 10), PATIENT)


@pytest.mark.django_db
def test_a_closure_after_times_were_shown_refuses_a_booking_in_it(clock):
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    shown = slots.free_slots(online, consult)
    assert at(TUESDAY, 10) in shown

    Closure.objects.create(location=online.location, first_day=TUESDAY, last_day=TUESDAY, reason="flood")

    with pytest.raises(bookings.SlotTaken):
        bookings.book(online, consult, at(TUESDAY, 10), PATIENT)
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_shorter_hours_after_times_were_shown_refuse_a_booking_outside_them(clock):
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    online.location.opening_hours.filter(weekday=TUESDAY.weekday()).update(closes=datetime.time(12))

    with pytest.raises(bookings.SlotTaken):
        bookings.book(online, consult, at(TUESDAY, 16), PATIENT)
    assert bookings.book(online, consult, at(TUESDAY, 11, 45), PATIENT).pk


@pytest.mark.django_db
def test_a_time_off_the_grid_is_refused(clock):
    online = make_online_booking()

    with pytest.raises(bookings.SlotTaken):
        bookings.book(online, online.location.clinic.appointment_types.get(), at(TUESDAY, 10, 7), PATIENT)


@pytest.mark.django_db
def test_cancelling_frees_the_slot(clock):
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    booking = bookings.book(online, consult, at(TUESDAY, 10), PATIENT)

    bookings.cancel(booking)

    assert not SlotCell.objects.exists()
    assert at(TUESDAY, 10) in slots.free_slots(online, consult)
    assert bookings.book(online, consult, at(TUESDAY, 10), PATIENT).pk


@pytest.mark.django_db
def test_rescheduling_moves_the_booking_and_frees_the_old_time(clock):
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    booking = bookings.book(online, consult, at(TUESDAY, 10), PATIENT)

    moved = bookings.reschedule(booking, at(TUESDAY, 14))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert moved.start == at(TUESDAY, 14) and moved.email == PATIENT["email"]
    assert at(TUESDAY, 10) in slots.free_slots(online, consult)


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """A database that threads share as a server would. PostgreSQL is one already. The
    in-memory SQLite test database is not: its shared cache answers a busy table with
    "table is locked" at once instead of waiting, which a real SQLite file never does.
    So on SQLite this test runs on a file copy of the test database (WAL, IMMEDIATE
    transactions and the busy timeout of settings.SQLITE_OPTIONS), and the in-memory one
    is kept open, untouched, for the tests after it."""
    if connection.vendor != "sqlite":
        yield
        return
    memory_name = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)  # the in-memory database lives while one is open
    path = tmp_path / "race.sqlite3"
    with sqlite3.connect(path) as copy:
        keeper.backup(copy)
    # The dict every thread's connection is made from; once it names a file, close()
    # really closes the main thread's in-memory connection (the keeper holds the data).
    connection.settings_dict["NAME"] = str(path)
    connection.close()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        # Reopen the in-memory database before the keeper lets go of it: with no
        # connection left open SQLite would drop it, and every later test with it.
        connection.ensure_connection()
        keeper.close()


@pytest.mark.django_db(transaction=True)
def test_fifty_patients_racing_for_one_slot_get_exactly_one_booking(clock, shared_database):
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    start = at(TUESDAY, 10)
    barrier = threading.Barrier(50)
    outcomes = []

    def patient(n):
        try:
            barrier.wait()
            bookings.book(online, consult, start, {**PATIENT, "email": f"p{n}@example.com"})
            outcomes.append("booked")
        except bookings.SlotTaken:
            outcomes.append("taken")
        except Exception as exc:  # anything else is a failure of the test
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patient, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(set(outcomes)) == ["booked", "taken"], outcomes
    assert outcomes.count("booked") == 1
    assert Booking.objects.filter(start=start).count() == 1
    assert SlotCell.objects.count() == consult.cells
    assert connection.vendor in ("sqlite", "postgresql")


# Next available.


@pytest.mark.django_db
def test_next_available_follows_bookings_cancellations_and_closures(clock):
    online = make_online_booking(notice_hours=0)
    consult = online.location.clinic.appointment_types.get()
    slots.refresh_next_available()
    online.refresh_from_db()
    assert online.next_free_at == at(clock.date(), 9)

    booking = bookings.book(online, consult, at(clock.date(), 9), PATIENT)
    online.refresh_from_db()
    assert online.next_free_at == at(clock.date(), 9, 15)
    assert len(online.first_times) == slots.FIRST_TIMES

    Closure.objects.create(location=online.location, first_day=clock.date(), last_day=clock.date())
    online.refresh_from_db()
    assert online.next_free_at == at(TUESDAY, 9)

    Closure.objects.all().delete()
    bookings.cancel(booking)
    online.refresh_from_db()
    assert online.next_free_at == at(clock.date(), 9)


def test_next_available_reads_in_words_on_the_locations_clock():
    now = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=WINNIPEG)

    assert slots.in_words(at(datetime.date(2026, 12, 7), 16, 30), "America/Winnipeg", now) == "today 4:30 pm"
    assert slots.in_words(at(TUESDAY, 9), "America/Winnipeg", now) == "tomorrow 9 am"
    assert slots.in_words(at(datetime.date(2026, 12, 10), 12), "America/Winnipeg", now) == "Thu noon"


# The patient's pages.


def _details_url(online):
    return reverse("booking:details", args=[online.therapist.slug, online.location_id])


def _post(client, online, when, **fields):
    from therapists.forms import started_token

    data = {
        "type": online.location.clinic.appointment_types.get(is_free_consult=True).pk,
        "start": when.isoformat(),
        **PATIENT,
        "consent": "yes",
        "started": started_token(ready=True),
        **fields,
    }
    return client.post(_details_url(online), data)


@pytest.mark.django_db
def test_a_patient_books_gets_an_email_with_a_calendar_file_and_cancels_from_its_link(
    client, clock, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    online = make_online_booking(location=make_location(make_clinic(email="desk@example.com")))
    picker = client.get(reverse("booking:choose-time", args=[online.therapist.slug, online.location_id]))
    assert picker.status_code == 200
    assert "10 am" in picker.content.decode()

    response = _post(client, online, at(TUESDAY, 10))

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.consent_text.startswith("I agree that " + online.location.clinic.name)
    done = client.get(response["Location"])
    assert booking.reference in done.content.decode()
    patient_mail = next(m for m in mail.outbox if m.to == [PATIENT["email"]])
    assert "Tuesday 8 December 2026, 10 am" in patient_mail.body
    ((name, ics, mimetype),) = patient_mail.attachments
    assert mimetype == "text/calendar" and "BEGIN:VEVENT" in ics and "DTSTART:20261208T160000Z" in ics
    clinic_mail = next(m for m in mail.outbox if m.to == ["desk@example.com"])
    assert PATIENT["name"] not in clinic_mail.body and PATIENT["email"] not in clinic_mail.body

    cancel_link = next(line for line in patient_mail.body.split() if "/booking/cancel/" in line)
    path = cancel_link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    client.post("/" + path)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not SlotCell.objects.exists()


@pytest.mark.django_db
def test_a_patient_who_loses_the_race_is_offered_the_next_times_with_what_they_typed_kept(
    client, clock, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    page = client.get(_details_url(online), {"start": at(TUESDAY, 10).isoformat(), "type": consult.pk})
    assert page.status_code == 200
    bookings.book(online, consult, at(TUESDAY, 10), {**PATIENT, "email": "first@example.com"})

    response = _post(client, online, at(TUESDAY, 10))

    text = response.content.decode()
    assert response.status_code == 200
    assert "no longer free" in text
    assert 'value="Sam Patient"' in text and 'value="sam@example.com"' in text
    assert "10:15 am" in text
    assert Booking.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "nasty",
    [
        {"start": "not a time"},
        {"start": "2026-12-08T16:07:00+00:00"},
        {"type": "99999999"},
        {"consent": "on"},
        {"phone": "12"},
        {"name": "\x00\x01"},
        {"started": "forged"},
    ],
)
def test_nasty_input_gets_a_form_error_not_a_booking(client, clock, settings, nasty):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    online = make_online_booking()

    response = _post(client, online, at(TUESDAY, 10), **nasty)

    if nasty == {"type": "99999999"}:  # an unknown type falls back to the free consult
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert not Booking.objects.exists()
    assert "Sam Patient" in response.content.decode() or "name" in nasty


@pytest.mark.django_db
def test_a_forged_or_late_link_cannot_cancel(client, clock):
    online = make_online_booking(cutoff_hours=48)
    booking = bookings.book(online, online.location.clinic.appointment_types.get(), at(TUESDAY, 10), PATIENT)

    assert client.get(reverse("booking:cancel", args=["forged"])).status_code == 404
    client.post(reverse("booking:cancel", args=[bookings.manage_token(booking)]))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED  # within 48 hours of it: call the clinic


@pytest.mark.django_db
def test_reminders_go_out_the_day_before_without_health_details(clock):
    online = make_online_booking()
    booking = bookings.book(
        online, online.location.clinic.appointment_types.get(), at(clock.date(), 14), PATIENT
    )

    from django.core.management import call_command

    call_command("send_booking_reminders")
    call_command("send_booking_reminders")

    (reminder,) = mail.outbox
    assert reminder.to == [PATIENT["email"]]
    assert "hurt" not in reminder.body.lower()
    booking.refresh_from_db()
    assert booking.reminded_at is not None


# The admin.


@pytest.mark.django_db
def test_a_reminder_speaks_the_language_the_patient_booked_in(clock):
    online = make_online_booking()
    with translation.override("fr"):
        bookings.book(online, online.location.clinic.appointment_types.get(), at(clock.date(), 14), PATIENT)

    bookings.send_reminders()

    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Rappel : votre rendez-vous")
    assert "lundi 7 décembre 2026, 14 h" in reminder.body and "/fr/reservation/annuler/" in reminder.body


@pytest.mark.django_db
def test_a_manager_sees_only_their_clinics_bookings_in_the_calendar(client, clock):
    mine, theirs = make_online_booking(), make_online_booking()
    for online, name in ((mine, "Mine Patient"), (theirs, "Theirs Patient")):
        consult = online.location.clinic.appointment_types.get()
        bookings.book(online, consult, at(TUESDAY, 10), {**PATIENT, "name": name})
    client.force_login(make_manager("winnipeg-manager", mine.location.clinic))

    page = client.get(reverse("admin:booking_booking_calendar"), {"span": "week", "date": "2026-12-07"})
    listing = client.get(reverse("admin:booking_booking_changelist"))

    assert page.status_code == 200
    assert "Mine Patient" in page.content.decode() and "Theirs Patient" not in page.content.decode()
    assert "Theirs Patient" not in listing.content.decode()
    other = Booking.objects.get(name="Theirs Patient")
    assert client.get(reverse("admin:booking_booking_change", args=[other.pk])).status_code in (302, 403, 404)


@pytest.mark.django_db
def test_staff_confirm_cancel_and_block_from_the_calendar(client, clock):
    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    booking = bookings.book(online, consult, at(TUESDAY, 10), PATIENT)
    client.force_login(make_manager("winnipeg-manager", online.location.clinic))

    client.post(reverse("admin:booking_booking_status", args=[booking.pk]), {"status": "confirmed"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    client.post(
        reverse("admin:booking_booking_block"),
        {"online": online.pk, "day": "2026-12-08", "time": "13:00", "minutes": "60", "note": "Staff meeting"},
    )

    assert at(TUESDAY, 13, 30) not in slots.free_slots(online, consult)
    response = client.post(
        reverse("admin:booking_booking_book"),
        {
            "online": online.pk,
            "day": "2026-12-08",
            "time": "13:15",
            "appointment_type": consult.pk,
            "name": "Pat",
        },
    )
    assert "taken or outside" in response.content.decode()


@pytest.mark.django_db
def test_a_manager_cannot_act_on_another_clinics_booking(client, clock):
    mine, theirs = make_online_booking(), make_online_booking()
    booking = bookings.book(theirs, theirs.location.clinic.appointment_types.get(), at(TUESDAY, 10), PATIENT)
    client.force_login(make_manager("winnipeg-manager", mine.location.clinic))

    response = client.post(
        reverse("admin:booking_booking_status", args=[booking.pk]), {"status": "cancelled"}
    )

    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    block = client.post(
        reverse("admin:booking_booking_block"),
        {"online": theirs.pk, "day": "2026-12-08", "time": "13:00", "minutes": "60"},
    )
    assert block.status_code == 200 and not Booking.objects.filter(kind="block").exists()
    assert OnlineBooking.objects.count() == 2
    assert make_user("nobody", staff=False)


# Search.


def _winnipeg_search(client, **params):
    return client.get(reverse("therapists:search"), {"lat": "49.8844", "lng": "-97.14704", **params})


@pytest.mark.django_db
def test_soonest_ranks_by_the_earliest_free_slot_with_distance_breaking_ties(client, clock):
    near = make_online_booking(location=make_location(at=(49.8844, -97.1470)))
    far_but_sooner = make_online_booking(location=make_location(at=(49.95, -97.2)), notice_hours=0)
    nearest_not_bookable = make_therapist(locations=[make_location(at=(49.8845, -97.1471))])
    tie_far = make_online_booking(location=make_location(at=(49.99, -97.3)))
    slots.refresh_next_available()

    response = _winnipeg_search(client, sort="soonest")

    order = [result.therapist for result in response.context["results"].results]
    assert order == [far_but_sooner.therapist, near.therapist, tie_far.therapist, nearest_not_bookable]
    text = response.content.decode()
    assert "Next available: today 9 am" in text and "Next available: today 10 am" in text


@pytest.mark.django_db
def test_a_soonest_card_shows_the_place_of_the_earliest_free_time_not_the_nearest(client, clock):
    near = make_location(at=(49.8844, -97.1470))
    farther = make_location(at=(49.95, -97.2))
    therapist = make_therapist(locations=[near, farther])
    make_online_booking(therapist, farther)  # bookable only at the farther place
    slots.refresh_next_available()

    by_soonest = _winnipeg_search(client, sort="soonest").context["results"].results
    by_distance = _winnipeg_search(client).context["results"].results

    assert [(r.therapist, r.location) for r in by_soonest] == [(therapist, farther)]
    assert by_soonest[0].next_available is not None
    assert [(r.therapist, r.location) for r in by_distance] == [(therapist, near)]


@pytest.mark.django_db
def test_a_clinic_that_moves_a_location_is_found_by_soonest_at_its_new_address(client, clock):
    online = make_online_booking(location=make_location(at=(45.5, -73.6)))  # Montréal
    slots.refresh_next_available()
    assert not _winnipeg_search(client, sort="soonest").context["results"].results

    location = online.location
    location.latitude, location.longitude = 49.8845, -97.1471
    location.save()

    online.refresh_from_db()
    assert (online.latitude, online.longitude) == (49.8845, -97.1471)
    results = _winnipeg_search(client, sort="soonest").context["results"].results
    assert [result.therapist for result in results] == [online.therapist]


@pytest.mark.django_db
def test_available_7_keeps_those_with_a_free_slot_in_the_next_seven_days(client, clock):
    soon = make_online_booking()
    full = make_online_booking(location=make_location())
    OnlineBooking.objects.filter(pk=full.pk).update(window_days=1)
    Closure.objects.create(
        location=full.location, first_day=clock.date(), last_day=TUESDAY + datetime.timedelta(days=30)
    )
    make_therapist()
    slots.refresh_next_available()

    response = _winnipeg_search(client, available="7")

    assert [r.therapist for r in response.context["results"].results] == [soon.therapist]
    assert "Bookable online in the next 7 days" in response.content.decode()  # its chip


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 6])
def test_a_soonest_search_page_costs_the_same_queries_however_many_match(
    client, clock, count, django_assert_max_num_queries
):
    for n in range(count):
        make_online_booking(location=make_location(at=(49.88 + n / 1000, -97.14)))
    slots.refresh_next_available()

    # The distance search's queries (test_search.FIXED_QUERIES plus its ranking rounds)
    # and the soonest ranking's reads of the precomputed next free slots.
    with django_assert_max_num_queries(28):
        response = _winnipeg_search(client, sort="soonest", available="7")

    assert len(response.context["results"].results) == count


@pytest.mark.django_db
def test_a_profile_shows_the_next_free_times_at_each_location(client, clock):
    online = make_online_booking(notice_hours=0)
    slots.refresh_next_available()

    response = client.get(online.therapist.get_absolute_url())

    text = response.content.decode()
    assert "Next available: today 9 am" in text
    assert reverse("booking:choose-time", args=[online.therapist.slug, online.location_id]) in text


@pytest.mark.django_db
def test_the_demo_has_online_booking_in_the_four_cities():
    from django.core.management import call_command

    from booking import demo

    call_command("loaddata", "demo", verbosity=0)
    demo.load()
    demo.load()  # twice changes nothing

    cities = set(OnlineBooking.objects.values_list("location__city", flat=True))
    assert {"Winnipeg", "Vancouver", "Edmonton", "Toronto"} <= cities
    assert OnlineBooking.objects.filter(next_free_at__isnull=False).count() == OnlineBooking.objects.count()
    assert Booking.objects.filter(location__city="Winnipeg").exists()


# SMART Scheduling Links.


@pytest.mark.django_db
def test_smart_scheduling_links_publish_valid_locations_schedules_and_slots_with_deep_links(
    client, clock, settings
):
    from fhir.resources.R4B.location import Location as FhirLocation
    from fhir.resources.R4B.schedule import Schedule as FhirSchedule
    from fhir.resources.R4B.slot import Slot as FhirSlot

    settings.SITE_URL = "https://finder.example"
    online = make_online_booking(window_days=2)
    consult = online.location.clinic.appointment_types.get()
    bookings.book(online, consult, at(TUESDAY, 10), PATIENT)

    manifest = client.get("/api/smart/$bulk-publish").json()
    files = {}
    for output in manifest["output"]:
        response = client.get(output["url"].removeprefix("https://finder.example"))
        assert response["Content-Type"] == "application/fhir+ndjson"
        files[output["type"]] = [
            line for line in b"".join(response.streaming_content).decode().splitlines() if line
        ]

    assert [output["type"] for output in manifest["output"]] == ["Location", "Schedule", "Slot"]
    (location,) = [FhirLocation.model_validate_json(line) for line in files["Location"]]
    (schedule,) = [FhirSchedule.model_validate_json(line) for line in files["Schedule"]]
    free = [FhirSlot.model_validate_json(line) for line in files["Slot"]]
    assert location.address.city == "Winnipeg"
    assert schedule.actor[0].reference == f"Location/{location.id}"
    assert {slot.schedule.reference for slot in free} == {f"Schedule/{schedule.id}"}
    starts = {slot.start for slot in free}
    assert at(TUESDAY, 10, 15) in starts and at(TUESDAY, 10) not in starts
    link = free[0].extension[0]
    assert link.url.endswith("booking-deep-link")
    assert link.valueUrl.startswith("https://finder.example/book/" + online.therapist.slug)
    assert client.get("/api/smart/Patient.ndjson").status_code == 404


@pytest.mark.django_db
def test_a_persons_bookings_are_exported_and_erased_on_request(clock, capsys):
    import json

    from django.core.management import call_command

    online = make_online_booking()
    consult = online.location.clinic.appointment_types.get()
    bookings.book(online, consult, at(TUESDAY, 10), PATIENT)
    bookings.book(online, consult, at(TUESDAY, 11), {**PATIENT, "email": "other@example.com"})

    call_command("export_person", "SAM@example.com")
    exported = json.loads(capsys.readouterr().out)
    call_command("erase_person", "sam@example.com")

    assert [record["email"] for record in exported] == ["sam@example.com"]
    assert list(Booking.objects.values_list("email", flat=True)) == ["other@example.com"]
    assert at(TUESDAY, 10) in slots.free_slots(online, consult)


@pytest.mark.django_db
def test_a_manager_picks_an_appointment_types_fee_among_their_own_clinics_only(client):
    from therapists.tests.factories import make_fee

    mine, theirs = make_clinic("Mine"), make_clinic("Theirs")
    own, other = make_fee(mine, "90"), make_fee(theirs, "123")
    client.force_login(make_manager("winnipeg-manager", mine))

    page = client.get(reverse("admin:booking_appointmenttype_add"))
    refused = client.post(
        reverse("admin:booking_appointmenttype_add"),
        {
            "clinic": mine.pk,
            "name": "Massage",
            "minutes": 60,
            "buffer_minutes": 0,
            "meeting": "in_person",
            "fee": other.pk,
            "position": 0,
            "is_active": "on",
        },
    )

    choices = page.context["adminform"].form.fields["fee"].queryset
    assert own in choices and other not in choices
    assert refused.status_code == 200 and not mine.appointment_types.exists()
