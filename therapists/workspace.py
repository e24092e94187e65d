"""The clinic workspace: what a clinic's day looks like on the admin's home page.

A request is overdue when nobody contacted the patient within one business day,
the promise made on the confirmation page. Business days skip weekends and the
statutory holidays of the province the request is for, on that location's clock.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from therapists import hours
from therapists.models import (
    Clinic,
    ConfirmationReminder,
    ConsultRequest,
    ConsultStatus,
    Location,
    OutdatedReport,
    Therapist,
)

# A request cannot be overdue before a day has passed, and is surely overdue after this
# many (a long weekend with a holiday on each side): only those in between need the calendar.
SURELY_OVERDUE_DAYS = 6


def is_business_day(day: datetime.date, province: str) -> bool:
    """Monday to Friday and not a statutory holiday of the province."""
    return day.weekday() < 5 and not (province and hours.holiday_name(province, day))


def _next_business_day(day: datetime.date, province: str) -> datetime.date:
    day += datetime.timedelta(days=1)
    while not is_business_day(day, province):
        day += datetime.timedelta(days=1)
    return day


def contact_due(created: datetime.datetime, province: str, zone: str) -> datetime.datetime:
    """When a request made at `created` must have been answered: the same time on the next
    business day; one made on a weekend or holiday counts from the start of the next
    business day, so is due at the end of it."""
    tz = zoneinfo.ZoneInfo(zone or settings.TIME_ZONE)
    local = created.astimezone(tz)
    day = local.date()
    if is_business_day(day, province):
        due_day, clock = _next_business_day(day, province), local.time()
    else:  # the first business day after is the one: due at its end (midnight after it)
        due_day, clock = _next_business_day(day, province) + datetime.timedelta(days=1), datetime.time.min
    return datetime.datetime.combine(due_day, clock, tzinfo=tz)


def is_overdue(consult: ConsultRequest, now: datetime.datetime | None = None) -> bool:
    """Still new after one business day (see `contact_due`)."""
    if consult.status != ConsultStatus.NEW:
        return False
    now = now or timezone.now()
    province, zone = _province_and_zone(consult)
    return now >= contact_due(consult.created_at, province, zone)


def _province_and_zone(consult: ConsultRequest) -> tuple[str, str]:
    if consult.location_id and consult.location:
        return consult.location.province, consult.location.time_zone
    # A request to a whole clinic: the clinic's first location (annotated by `with_calendar`).
    return getattr(consult, "clinic_province", "") or "", getattr(consult, "clinic_zone", "") or ""


def with_calendar(requests: QuerySet[ConsultRequest]) -> QuerySet[ConsultRequest]:
    """Requests with what the overdue rule needs, read in the same query."""
    first = Location.objects.filter(clinic=OuterRef("clinic")).order_by("id")
    return requests.select_related("location").annotate(
        clinic_province=Subquery(first.values("province")[:1]),
        clinic_zone=Subquery(first.values("time_zone")[:1]),
    )


def overdue_ids(requests: QuerySet[ConsultRequest], now: datetime.datetime | None = None) -> list[int]:
    """The ids of the overdue requests among `requests`, in one query."""
    now = now or timezone.now()
    candidates = with_calendar(
        requests.filter(status=ConsultStatus.NEW, created_at__lte=now - datetime.timedelta(days=1))
    )
    surely = now - datetime.timedelta(days=SURELY_OVERDUE_DAYS)
    return [c.pk for c in candidates if c.created_at <= surely or is_overdue(c, now)]


def to_confirm(therapists: QuerySet[Therapist], today: datetime.date | None = None) -> QuerySet[Therapist]:
    """Published listings not confirmed within LISTING_CONFIRM_AFTER_DAYS (never confirmed:
    counted from their creation)."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.LISTING_CONFIRM_AFTER_DAYS)
    start = datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=timezone.get_current_timezone())
    confirmed = Q(last_verified__gte=cutoff) | Q(last_verified__isnull=True, created_at__gte=start)
    return therapists.filter(is_published=True).exclude(confirmed)


@dataclass(frozen=True)
class Day:
    """The numbers on a workspace's home page."""

    clinics: list[Clinic]
    new_requests: int
    overdue_requests: int
    to_confirm: int
    open_reports: int
    operator: bool


def clinic_day(clinics: QuerySet[Clinic], operator: bool = False) -> Day:
    """The day of these clinics (a manager's own, or every clinic for the operator),
    in a constant number of queries."""
    clinic_ids = clinics.values("pk")
    requests = ConsultRequest.objects.filter(clinic__in=clinic_ids)
    therapists = Therapist.objects.filter(
        pk__in=Therapist.locations.through.objects.filter(location__clinic__in=clinic_ids).values("therapist")
    )
    counts = requests.aggregate(new=Count("pk", filter=Q(status=ConsultStatus.NEW)))
    return Day(
        clinics=list(clinics[:3]),
        new_requests=counts["new"],
        overdue_requests=len(overdue_ids(requests)),
        to_confirm=to_confirm(therapists).count(),
        open_reports=OutdatedReport.objects.filter(clinic__in=clinic_ids, closed_at__isnull=True).count(),
        operator=operator,
    )


# Reminders to confirm listings (`manage.py remind_unconfirmed_listings`, for cron).

REMINDER_SUBJECT = _("%(count)d listing(s) at %(clinic)s to confirm")
REMINDER_BODY = _(
    "%(count)d listing(s) at %(clinic)s have not been confirmed for six months or more.\n\n"
    "Patients trust a listing that is current. Check each one (hours, fees, new patients, "
    "who still works there), then tick them and choose “Confirm these listings are current”:\n"
    "%(link)s\n\n"
    "A listing not confirmed for %(stale_days)d days no longer appears in search results."
)


def reminder_period(today: datetime.date | None = None) -> datetime.date:
    """The period a reminder is for: the calendar month (its first day)."""
    return (today or timezone.localdate()).replace(day=1)


@dataclass(frozen=True)
class Reminder:
    clinic: Clinic
    listings: int
    recipients: list[str]


def due_reminders(today: datetime.date | None = None) -> list[Reminder]:
    """Each clinic with listings to confirm that was not reminded this period, with whom to
    email: its managers (the people who can confirm in the admin)."""
    period = reminder_period(today)
    counts = (
        to_confirm(Therapist.objects.all(), today)
        .values("locations__clinic")
        .annotate(listings=Count("pk", distinct=True))
        .values_list("locations__clinic", "listings")
    )
    pending = dict(counts)
    clinics = (
        Clinic.objects.filter(pk__in=list(pending))
        .exclude(confirmation_reminders__period=period)
        .prefetch_related("managers")
        .order_by("name", "id")
    )
    reminders = []
    for clinic in clinics:
        emails = sorted({user.email for user in clinic.managers.all() if user.email and user.is_active})
        reminders.append(Reminder(clinic, pending[clinic.pk], emails))
    return reminders


def send_reminder(reminder: Reminder, today: datetime.date | None = None) -> bool:
    """Email one clinic's managers and record it for the period (once: a second run in the
    same period, or a concurrent one, sends nothing). True when sent."""
    from django.core.mail import send_mail
    from django.db import IntegrityError, transaction
    from django.urls import reverse

    if not reminder.recipients:
        return False
    try:
        with transaction.atomic():
            ConfirmationReminder.objects.create(
                clinic=reminder.clinic, period=reminder_period(today), listings=reminder.listings
            )
    except IntegrityError:
        return False
    link = "{}{}?confirm=due&clinic={}".format(
        settings.SITE_URL.rstrip("/"), reverse("admin:therapists_therapist_changelist"), reminder.clinic.pk
    )
    values = {
        "count": reminder.listings,
        "clinic": reminder.clinic.name,
        "link": link,
        "stale_days": settings.LISTING_STALE_AFTER_DAYS,
    }
    send_mail(
        subject=" ".join((REMINDER_SUBJECT % values).split()),
        message=REMINDER_BODY % values,
        from_email=None,
        recipient_list=reminder.recipients,
    )
    return True
