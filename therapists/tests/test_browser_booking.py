"""Online booking in a real browser: search Winnipeg, sort by soonest, book the free
consult, get the email with its calendar file, cancel from its link; and the clinic's
calendar in the admin. BOOKING_SHOTS=<folder> saves screenshots at 390 and 1280 px."""

import importlib
import os
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core import mail

from booking import slots
from booking.models import Booking, BookingStatus
from therapists.tests.factories import (
    WINNIPEG,
    make_clinic,
    make_location,
    make_manager,
    make_online_booking,
    make_place,
    make_therapist,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("BOOKING_SHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1200, "height": 900})


@pytest.fixture
def winnipeg(reference_data, settings):
    """Two Winnipeg clinics taking online bookings (open every day, all day, so that the
    test finds free times whenever it runs) and a nearer therapist who does not."""
    settings.CONSULT_MIN_FILL_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://finder.example"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for migration in (
        "therapists.migrations.0003_clinic_managers_group",
        "booking.migrations.0001_online_booking",
    ):
        module = importlib.import_module(migration)
    for app in ("therapists", "booking"):
        create_permissions(apps.get_app_config(app), verbosity=0)
    group, _ = Group.objects.get_or_create(name="Clinic managers")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["therapists", "booking"]))
    assert module.GROUP_NAME == "Clinic managers"
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    forks = make_clinic("Forks Physiotherapy", email="desk@forks.example", phone="(204) 555-0102")
    corydon = make_clinic("Corydon Massage", email="desk@corydon.example")
    near = make_location(forks, name="Broadway", street="520 Broadway", at=(WINNIPEG[0], WINNIPEG[1] + 0.01))
    far = make_location(
        corydon, name="Corydon", street="800 Corydon Avenue", at=(WINNIPEG[0], WINNIPEG[1] + 0.05)
    )
    make_therapist(first_name="Nadia", last_name="Nearest", locations=[make_location(at=WINNIPEG)])
    paolo = make_therapist(first_name="Paolo", last_name="Nguyen", slug="paolo-nguyen", locations=[near])
    cleo = make_therapist(first_name="Cleo", last_name="Soonest", slug="cleo-soonest", locations=[far])
    make_online_booking(paolo, near, opens="00:00", closes="23:45", notice_hours=3, cutoff_hours=1)
    make_online_booking(cleo, far, opens="00:00", closes="23:45", notice_hours=1)
    slots.refresh_next_available()
    return {"forks": forks, "manager": make_manager("winnipeg-manager", forks)}


def test_a_patient_books_the_free_consult_from_a_soonest_search_and_cancels_it(page, winnipeg):
    page.goto("/")
    page.get_by_label("City or postal code").fill("Winnipeg")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?*")
    page.get_by_label("Sort by").select_option("soonest")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**sort=soonest**")

    cards = page.locator("article.result")
    assert cards.nth(0).get_attribute("data-therapist") == "cleo-soonest"
    assert cards.nth(1).get_attribute("data-therapist") == "paolo-nguyen"
    assert "Next available:" in cards.nth(1).inner_text()
    shoot(page, "1-cards-soonest")

    cards.nth(1).get_by_role("link", name="All times").click()
    page.wait_for_url("**/book/paolo-nguyen/**")
    shoot(page, "2-time-picker")
    page.locator(".booking-times a").nth(2).click()
    page.wait_for_url("**/details/?*")
    form = page.locator("form.booking-form")
    form.get_by_label("Your name").fill("Wanda Winnipatient")
    form.get_by_label("Email", exact=True).fill("wanda@example.com")
    form.get_by_label("Phone", exact=True).fill("204 555 0187")
    form.locator("#id_consent").check()
    shoot(page, "3-details-form")
    form.get_by_role("button", name="Book").click()

    page.wait_for_url("**/booking/done/?ref=*")
    booking = Booking.objects.get()
    assert page.get_by_role("heading", name="You are booked").is_visible()
    assert booking.reference in page.content()
    shoot(page, "4-confirmation")
    patient_email = next(m for m in mail.outbox if m.to == ["wanda@example.com"])
    (filename, calendar, mimetype) = patient_email.attachments[0]
    assert filename.endswith(".ics") and mimetype == "text/calendar" and "BEGIN:VEVENT" in calendar

    link = next(word for word in patient_email.body.split() if "/booking/cancel/" in word)
    page.goto(link.replace("https://finder.example", ""))
    page.get_by_role("button", name="Yes, cancel it").click()
    assert page.get_by_role("heading", name="Your booking is cancelled").is_visible()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_clinic_manager_sees_the_week_in_the_admin(page, winnipeg, live_server):
    from booking import bookings
    from booking.models import OnlineBooking

    online = OnlineBooking.objects.get(therapist__slug="paolo-nguyen")
    consult = online.location.clinic.appointment_types.get()
    free = slots.free_slots(online, consult)
    bookings.book(
        online, consult, free[8], {"name": "Alex Demo", "email": "a@example.com", "phone": "+12045550101"}
    )
    bookings.block(online, free[20], free[24], "Team meeting")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("winnipeg-manager")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Log in").click()

    page.goto("/admin/booking/booking/calendar/?span=week")
    assert "Alex Demo" in page.content()
    shoot(page, "5-admin-week")
    page.goto(
        "/admin/booking/booking/calendar/?span=day&date="
        + free[8].astimezone(ZoneInfo("America/Winnipeg")).date().isoformat()
    )
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_text("Confirmed").first.is_visible()
    shoot(page, "6-admin-day")
