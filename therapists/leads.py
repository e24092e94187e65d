"""Consult and call-back requests: saving them safely, telling the clinic, privacy duties.

A request and its consent are saved in one transaction before anything else
happens; the clinic is emailed afterwards, and a failed email leaves the request
saved and marked as not yet notified for `send_pending_notifications` to retry.
Logs name requests by id only: never a patient's name, contact details or health.
"""

import contextlib
import datetime
import enum
import hashlib
import logging
import unicodedata
from collections.abc import Collection

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from therapists.models import Clinic, ConsultRequest, ConsultStatus, Location, Therapist

logger = logging.getLogger(__name__)

# Each language's wording has its own version, stored with the request beside the exact
# text: a change to the French wording makes a new French version, and so on.
CONSENT_VERSION = "2026-11-v1"
CONSENT_VERSIONS = {"en": CONSENT_VERSION, "fr": "2026-11-v1-fr"}
# Marked for translation here, translated when shown and stored (consent_text, marketing_text).
CONSENT_TEXT = gettext_noop(
    "I agree that %(recipient)s will receive this request, with my name, contact details and "
    "where it hurts, and may contact me by phone or email to arrange my consultation. "
    "Nobody else receives it. I can ask for it to be deleted at any time."
)
MARKETING_TEXT = gettext_noop("Also send me appointment reminders and exercise plans by email (optional).")


def consent_version() -> str:
    """The version of the consent wording in the active language."""
    return CONSENT_VERSIONS.get((get_language() or "en")[:2], CONSENT_VERSION)


def marketing_text() -> str:
    """The optional consent's wording in the active language."""
    return _(MARKETING_TEXT)


def consent_text(clinic: Clinic | None, therapist: Therapist | None = None) -> str:
    """The exact consent wording shown for a request to this clinic (and therapist).

    Without a clinic (the patient has yet to choose where to see the therapist) it
    names "the clinic I choose above"; what is stored always names the clinic.
    """
    if clinic is None:
        recipient = _("the clinic I choose above and %(therapist)s") % {"therapist": therapist.name}
    elif therapist:
        recipient = _("%(clinic)s and %(therapist)s") % {"clinic": clinic.name, "therapist": therapist.name}
    else:
        recipient = clinic.name
    return _(CONSENT_TEXT) % {"recipient": recipient}


def chosen_location(locations: list[Location], wanted: str | None) -> Location | None:
    """The address a request for a therapist is for, out of the therapist's `locations`.

    `wanted` is a location id as text: the one a search result was ranked by
    (`?location=` on the profile link) or the one ticked on the form. It counts
    only when it is one of `locations`. A therapist with one address needs no
    choice. Otherwise nothing is picked for the patient (never the first by
    name): the form asks.
    """
    if len(locations) == 1:
        return locations[0]
    by_id = {str(location.pk): location for location in locations}
    return by_id.get((wanted or "").strip())


def chosen_first(locations: list[Location], chosen: Location | None) -> list[Location]:
    """`locations` with the chosen one first, the others in their usual order."""
    return sorted(locations, key=lambda location: location != chosen)


def recipient_clinic(location: Location | None, clinic: Clinic | None) -> Clinic:
    """The clinic that receives a request: the chosen location's clinic, and only a
    request to a whole clinic (no therapist, no location) goes to `clinic` itself."""
    if location is not None:
        return location.clinic
    if clinic is None:
        raise ValueError("A request needs a location or a clinic.")
    return clinic


class Outcome(enum.Enum):
    """What became of a submitted request."""

    CREATED = "created"  # a new request
    UPDATED = "updated"  # the same browser's pending request, with what changed
    FOLDED = "folded"  # the same browser sent exactly the same again


def submit(
    *,
    details: dict,
    marketing_consent: bool,
    location: Location | None = None,
    therapist: Therapist | None = None,
    clinic: Clinic | None = None,
    mine: Collection[str] = (),
) -> tuple[ConsultRequest, Outcome]:
    """Save a request with its consent records; returns (request, outcome).

    A request for a therapist is for one of their locations and goes to that
    location's clinic; a request to a clinic has no location.

    `mine` are the references of the requests this browser sent. Asking the same
    clinic again within CONSULT_DUPLICATE_MINUTES updates that browser's pending
    request with what changed (a corrected phone, a new message); exactly the same
    again (a double click, a reload) is folded into it. Another browser's request
    is never touched nor revealed: the same email from elsewhere is a new request.
    """
    at_their_location = (
        location is not None and therapist and therapist.locations.filter(pk=location.pk).exists()
    )
    if therapist is not None and not at_their_location:
        raise ValueError("A request for a therapist is for one of the therapist's locations.")
    clinic = recipient_clinic(location, clinic)
    window = timezone.now() - datetime.timedelta(minutes=settings.CONSULT_DUPLICATE_MINUTES)
    fields = {
        **details,
        "location": location,
        "consent_text": consent_text(clinic, therapist),
        "consent_version": consent_version(),
        "marketing_consent": marketing_consent,
        "marketing_text": marketing_text() if marketing_consent else "",
        "marketing_version": consent_version() if marketing_consent else "",
    }
    with transaction.atomic():
        # Serializes submissions per clinic on PostgreSQL so the repeat check
        # cannot race; SQLite's IMMEDIATE transactions already serialize writers.
        Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
        earlier = (
            ConsultRequest.objects.filter(
                reference__in=list(mine),
                clinic=clinic,
                therapist=therapist,
                email=details["email"],
                status=ConsultStatus.NEW,
                created_at__gte=window,
            )
            .order_by("-created_at")
            .first()
        )
        if earlier:
            changed = [name for name, value in fields.items() if getattr(earlier, name) != value]
            if not changed:
                return earlier, Outcome.FOLDED
            for name in changed:
                setattr(earlier, name, fields[name])
            earlier.consent_at = timezone.now()
            earlier.save(update_fields=[*changed, "consent_at", "updated_at"])
            logger.info("consult request %s updated by the patient", earlier.pk)
            return earlier, Outcome.UPDATED
        consult = ConsultRequest.objects.create(
            clinic=clinic, therapist=therapist, consent_at=timezone.now(), **fields
        )
    logger.info("consult request %s saved for clinic %s", consult.pk, clinic.pk)
    return consult, Outcome.CREATED


def recipients(clinic: Clinic) -> list[str]:
    """Who is emailed about a clinic's requests: its front desk, else its managers."""
    if clinic.email:
        return [clinic.email]
    return sorted({email for email in clinic.managers.values_list("email", flat=True) if email})


def one_line(text: str) -> str:
    """Text safe in an email header: any stored name, whatever it holds, cannot break
    a notification (Django refuses a header with a line break)."""
    return " ".join("".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text).split())


def notify_clinic(consult: ConsultRequest, updated: bool = False) -> bool:
    """Email the clinic a link to the request in the admin (`updated`: the patient
    changed it). True when sent.

    The email holds no health details and no patient data: only the link.
    """
    ConsultRequest.objects.filter(pk=consult.pk).update(notify_attempts=F("notify_attempts") + 1)
    to = recipients(consult.clinic)
    if not to:
        logger.warning("consult request %s: clinic %s has no email address", consult.pk, consult.clinic_id)
        return False
    link = settings.SITE_URL.rstrip("/") + reverse(
        "admin:therapists_consultrequest_change", args=[consult.pk]
    )
    values = {
        "clinic": consult.clinic.name,
        "reference": consult.reference,
        "therapist": consult.therapist.name if consult.therapist else "",
        "location": consult.location.name if consult.location else "",
        "link": link,
    }
    if consult.therapist and consult.location:
        who = _(" for %(therapist)s at %(location)s") % values
    elif consult.therapist:
        who = _(" for %(therapist)s") % values
    elif consult.location:
        who = _(" at %(location)s") % values
    else:
        who = ""
    values["who"] = who
    try:
        subject = (
            _("Updated consult request %(reference)s%(who)s")
            if updated
            else _("New consult request %(reference)s%(who)s")
        )
        body = (
            _(
                "%(clinic)s has an updated free consult / call-back request%(who)s.\n\n"
                "Open it in the clinic admin to see the details and call the patient back:\n%(link)s\n\n"
                "For the patient's privacy this email contains no personal or health details."
            )
            if updated
            else _(
                "%(clinic)s has a new free consult / call-back request%(who)s.\n\n"
                "Open it in the clinic admin to see the details and call the patient back:\n%(link)s\n\n"
                "For the patient's privacy this email contains no personal or health details."
            )
        )
        send_mail(
            subject=one_line(subject % values),
            message=body % values,
            from_email=None,
            recipient_list=to,
        )
    except Exception as exc:  # any mail failure: the request is saved and retried later
        logger.warning("consult request %s: notifying the clinic failed (%s)", consult.pk, type(exc).__name__)
        return False
    now = timezone.now()
    ConsultRequest.objects.filter(pk=consult.pk).update(notified_at=now)
    consult.notified_at = now
    logger.info("consult request %s: clinic notified", consult.pk)
    return True


def _form_key(token: str) -> str:
    return "consult-form:" + hashlib.sha256(token.encode()).hexdigest()


def claim_form(token: str) -> str | None:
    """Mark a consult form (its signed start token) as used: None the first time;
    after that, the reference of the request it sent ("" while unknown).

    A form is good for one request, so a copied form cannot send many. When the
    cache is down, every form counts as new: requests are taken rather than lost.
    """
    timeout = settings.CONSULT_FORM_MAX_HOURS * 3600
    try:
        if cache.add(_form_key(token), "", timeout):
            return None
        return cache.get(_form_key(token), "")
    except (RedisError, OSError):
        logger.warning("consult form check unavailable: the cache did not answer")
        return None


def remember_form(token: str, reference: str) -> None:
    """Note which request a used form sent, so that the same browser sending it again
    (a double click) is folded into that request."""
    with contextlib.suppress(RedisError, OSError):
        cache.set(_form_key(token), reference, settings.CONSULT_FORM_MAX_HOURS * 3600)


WITHDRAW_SALT = "therapists.consult.withdraw"


def withdraw_token(consult: ConsultRequest) -> str:
    """The signed token of a request's withdraw link (only its reference, signed)."""
    return signing.dumps(consult.reference, salt=WITHDRAW_SALT)


def withdrawable(token: str) -> ConsultRequest | None:
    """The request a withdraw link is for, if the link is genuine and the request
    still held (the link lasts as long as the request may be kept)."""
    max_age = datetime.timedelta(days=settings.CONSULT_RETENTION_DAYS)
    try:
        reference = signing.loads(token, salt=WITHDRAW_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return ConsultRequest.objects.select_related("clinic").filter(reference=reference).first()


def confirm_to_patient(consult: ConsultRequest) -> bool:
    """Email the patient that their request was received: the clinic's name, the
    reference, what happens next and a link to withdraw it. True when sent.

    Nothing about their health (where it hurts, the message) and nothing the
    patient did not type themselves goes into it.
    """
    link = settings.SITE_URL.rstrip("/") + reverse(
        "therapists:consult-withdraw", args=[withdraw_token(consult)]
    )
    values = {"clinic": consult.clinic.name, "reference": consult.reference, "link": link}
    body = _(
        "Thank you. %(clinic)s has received your request for a free consult or a call back.\n\n"
        "Your reference: %(reference)s\n\n"
        "What happens next: the clinic's front desk will contact you, usually within one "
        "business day, to find a time. The consult costs nothing and commits you to nothing.\n\n"
        "Changed your mind? Withdraw your request, and we erase it and tell the clinic:\n%(link)s\n\n"
        "Only %(clinic)s receives your details."
    )
    try:
        send_mail(
            subject=one_line(_("Your request to %(clinic)s (reference %(reference)s)") % values),
            message=body % values,
            from_email=None,
            recipient_list=[consult.email],
        )
    except Exception as exc:  # the request stands; the patient has the confirmation page
        logger.warning(
            "consult request %s: confirming to the patient failed (%s)", consult.pk, type(exc).__name__
        )
        return False
    return True


def withdraw(consult: ConsultRequest) -> None:
    """Erase a request at the patient's wish, and tell the clinic it was withdrawn."""
    clinic, reference, pk = consult.clinic, consult.reference, consult.pk
    consult.delete()
    logger.info("consult request %s withdrawn by the patient and erased", pk)
    to = recipients(clinic)
    if not to:
        return
    try:
        send_mail(
            subject=_("Consult request %(reference)s withdrawn") % {"reference": reference},
            message=_(
                "The patient withdrew consult request %(reference)s to %(clinic)s. "
                "We have erased it: please delete any copy you made and do not contact them about it."
            )
            % {"reference": reference, "clinic": clinic.name},
            from_email=None,
            recipient_list=to,
        )
    except Exception as exc:
        logger.warning(
            "consult request %s: telling the clinic of the withdrawal failed (%s)", pk, type(exc).__name__
        )


def pending_notifications():
    return ConsultRequest.objects.filter(notified_at__isnull=True).select_related(
        "clinic", "therapist", "location"
    )


def send_pending_notifications() -> tuple[int, int]:
    """Retry every request whose clinic was not notified yet; returns (sent, failed)."""
    sent = failed = 0
    for consult in pending_notifications().order_by("created_at", "id"):
        if notify_clinic(consult):
            sent += 1
        else:
            failed += 1
    return sent, failed


def expired(days: int | None = None):
    """Requests older than the retention period (CONSULT_RETENTION_DAYS)."""
    days = settings.CONSULT_RETENTION_DAYS if days is None else days
    return ConsultRequest.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))


def requests_of(email: str):
    """Every request made with this email address, for access and erasure requests."""
    return ConsultRequest.objects.filter(email=email.strip().lower()).select_related(
        "clinic", "therapist", "location", "area"
    )


def export_person(email: str) -> list[dict]:
    """What we hold about the person with this email, as plain data."""
    exported = []
    for consult in requests_of(email).order_by("created_at", "id"):
        record = model_to_dict(consult, exclude=["clinic", "therapist", "location", "area"])
        record.update(
            id=consult.pk,
            reference=consult.reference,
            clinic=consult.clinic.name,
            therapist=consult.therapist.name if consult.therapist else None,
            location=consult.location.address if consult.location else None,
            area=consult.where_it_hurts,
            created_at=consult.created_at.isoformat(),
            consent_at=consult.consent_at.isoformat(),
            notified_at=consult.notified_at.isoformat() if consult.notified_at else None,
        )
        exported.append(record)
    return exported
