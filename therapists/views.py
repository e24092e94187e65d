import logging

from csp.constants import SELF
from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from booking import availability
from finder.proxy import client_network
from therapists import (
    demand,
    fees,
    filters,
    guides,
    hours,
    landing,
    leads,
    maps,
    page_cache,
    photos,
    reports,
    seo,
)
from therapists.forms import ConsultRequestForm, started_token
from therapists.models import Clinic, ConsultRequest, Location, Therapist
from therapists.search import find_therapists

SENT_SALT = "therapists.consult.sent"
SENT_MAX_AGE = 60 * 60  # seconds the confirmation page can be reopened
# The session remembers the references of the last few requests this browser sent,
# so that only this browser sees them again or updates them.
MINE_KEY = "consult_requests"
MINE_KEPT = 20

logger = logging.getLogger(__name__)


RATE_GROUP = "therapists.consult"


def _consult_usage(request, increment: bool) -> dict | None:
    """How many requests this client address sent in the current period
    (CONSULT_RATE_LIMIT); None when not counted. When the cache that counts
    (Redis) is down, requests are taken rather than lost."""
    try:
        return get_usage(
            request,
            group=RATE_GROUP,
            key=client_network,
            rate=settings.CONSULT_RATE_LIMIT,
            increment=increment,
        )
    except (RedisError, OSError):
        logger.warning("consult rate limit unavailable: the cache did not answer")
        return None


def consult_limit_reached(request) -> bool:
    """True when this address already sent as many accepted requests as allowed."""
    usage = _consult_usage(request, increment=False)
    return bool(usage) and usage["count"] >= usage["limit"]


def count_consult_request(request) -> None:
    """Count an accepted request against the address (forms with mistakes cost nothing)."""
    _consult_usage(request, increment=True)


# Links on the home page: (label, query string), each a real shareable search.
POPULAR_SEARCHES = [
    (_("Massage therapists in Winnipeg"), "where=Winnipeg&discipline=massage"),
    (_("Massage therapists in Montréal"), "where=Montréal&discipline=massage"),
    (_("Physiotherapists in Vancouver"), "where=Vancouver&discipline=physiotherapy"),
    (_("Physiotherapists in Gatineau"), "where=Gatineau&discipline=physiotherapy"),
    (_("Chiropractors in Edmonton"), "where=Edmonton&discipline=chiropractic"),
    (_("Massage therapists in Toronto"), "where=Toronto&discipline=massage"),
    (_("Back pain in Winnipeg"), "where=Winnipeg&area=back"),
    (_("Sports injuries in Toronto"), "where=Toronto&specialty=sports-injuries"),
    (_("Accepting new patients in Edmonton"), "where=Edmonton&new_patients=1"),
    (_("Virtual care in Vancouver"), "where=Vancouver&virtual=1"),
]


def home(request):
    form = filters.TherapistFilter(queryset=Therapist.objects.none()).form
    context = {"form": form, "popular": POPULAR_SEARCHES, "guides": guides.GUIDES}
    return render(request, "therapists/home.html", context)


# Pages that say "Open now" are computed for each request and never kept by a browser
# or a proxy, so none shows yesterday's "open" (README, Hours).
uncached = cache_control(private=True, no_cache=True)


@uncached
@page_cache.cached_for_anonymous
def search(request):
    results = find_therapists(request.GET, request.GET.get("page"))
    demand.record_search(results)
    context = {
        "form": results.form,
        "results": results,
        "chips": results.chips,
        "radius_choices": filters.RADIUS_CHOICES_KM,
        "max_radius_km": filters.MAX_RADIUS_KM,
    }
    # The map (static/js/map.js) shows this page's results; without a tile server, or
    # nothing to place, there is none. Only this page may load the tile server's images.
    tiles = maps.tiles() if results.origin and results.results else None
    context["map_tiles"] = tiles
    response = render(request, "therapists/search.html", context)
    if tiles is not None:
        response._csp_update = {"img-src": [SELF, tiles.origin]}
    return response


PROFILE_PHOTO_PX = 160  # CSS pixels a profile shows the headshot at
CLINIC_PHOTO_PX = 480  # and a clinic page its photos at (at most)


@uncached
def therapist_detail(request, slug):
    therapist = get_object_or_404(Therapist.objects.published().with_profile().with_hours(), slug=slug)
    body_areas = sorted(
        {area for specialty in therapist.specialties.all() for area in specialty.body_areas.all()},
        key=lambda area: (area.position, area.name),
    )
    locations = list(therapist.locations.all())
    hours.mark_now(locations, therapist)
    demand.record_opened(therapist)
    found = availability.next_available([(therapist.pk, loc.pk) for loc in locations], hours.current_time())
    for location in locations:
        location.next_available = found.get((therapist.pk, location.pk))
    chosen = leads.chosen_location(locations, request.GET.get("location"))
    shown = leads.chosen_first(locations, chosen)
    for location in locations:
        location.booking_url = therapist.booking_url_at(location)
    context = {
        "therapist": therapist,
        "photo": photos.picture(therapist.photo, photos.HEADSHOT, PROFILE_PHOTO_PX),
        "booking_url": chosen.booking_url if chosen else therapist.booking_url,
        "body_areas": body_areas,
        "locations": shown,
        "chosen_location": chosen,
        "price_lists": fees.price_lists(therapist, shown),
        "consult_form": _therapist_form(therapist, locations, chosen) if locations else None,
        "structured_data": seo.therapist_data(request, therapist, shown),
    }
    return render(request, "therapists/therapist_detail.html", context)


@uncached
def clinic_detail(request, slug):
    clinic = get_object_or_404(
        Clinic.objects.prefetch_related(
            "photos",
            Prefetch(
                "locations",
                queryset=Location.objects.prefetch_related("opening_hours", "closures", "special_hours"),
            ),
            Prefetch(
                "locations__therapists",
                queryset=Therapist.objects.published().select_related("discipline"),
                to_attr="published_therapists",
            ),
        ),
        slug=slug,
    )
    therapists = sorted(
        {t for location in clinic.locations.all() for t in location.published_therapists},
        key=lambda t: (t.last_name, t.first_name, t.pk),
    )
    hours.mark_now(clinic.locations.all())
    for therapist in therapists:
        therapist.picture = photos.picture(therapist.photo, photos.HEADSHOT, 48)
    gallery = [
        (photo, photos.picture(photo.photo, photos.CLINIC_PHOTO, CLINIC_PHOTO_PX))
        for photo in clinic.photos.all()
    ]
    context = {
        "clinic": clinic,
        "therapists": therapists,
        "gallery": gallery,
        "structured_data": seo.clinic_data(request, clinic, therapists),
        "consult_form": _clinic_form(clinic),
    }
    return render(request, "therapists/clinic_detail.html", context)


def _therapist_form(therapist, locations, chosen, data=None) -> ConsultRequestForm:
    """The consult form for a therapist: it asks where, with the chosen address
    ticked, and its consent names that address's clinic."""
    return ConsultRequestForm(
        data,
        consent_label=leads.consent_text(chosen.clinic if chosen else None, therapist),
        marketing_label=leads.marketing_text(),
        locations=leads.chosen_first(locations, chosen),
        consent_texts={str(loc.pk): leads.consent_text(loc.clinic, therapist) for loc in locations},
        initial={"location": str(chosen.pk)} if chosen else {},
    )


def _clinic_form(clinic, data=None) -> ConsultRequestForm:
    return ConsultRequestForm(
        data, consent_label=leads.consent_text(clinic), marketing_label=leads.marketing_text()
    )


def consult_therapist(request, slug):
    therapist = get_object_or_404(
        Therapist.objects.published().prefetch_related(
            Prefetch("locations", queryset=Location.objects.select_related("clinic"))
        ),
        slug=slug,
    )
    locations = list(therapist.locations.all())
    if not locations:
        raise Http404("This therapist is not taking requests.")
    data = request.POST if request.method == "POST" else None
    chosen = leads.chosen_location(locations, (data or request.GET).get("location"))
    form = _therapist_form(therapist, locations, chosen, data)
    return _consult(request, form, {"therapist": therapist, "clinic": chosen.clinic if chosen else None})


def consult_clinic(request, slug):
    clinic = get_object_or_404(Clinic, slug=slug)
    data = request.POST if request.method == "POST" else None
    return _consult(request, _clinic_form(clinic, data), {"clinic": clinic, "therapist": None})


def _consult(request, form, context):
    context["form"] = form
    if request.method != "POST":
        return render(request, "therapists/consult_form.html", context)
    if form.is_spam:
        return render(request, "therapists/consult_rejected.html", context, status=400)
    if consult_limit_reached(request):
        context["limited"] = True
        return render(request, "therapists/consult_form.html", context, status=429)
    if not form.is_valid():
        return _form_again(request, form, context)

    mine = request.session.get(MINE_KEY, [])
    used_for = leads.claim_form(form.data["started"])
    if used_for is not None and used_for not in mine:  # a used form, not this browser's
        return _form_again(request, form, context)
    consult, outcome = leads.submit(
        location=form.cleaned_data.get("location"),
        therapist=context["therapist"],
        clinic=context["clinic"],
        details=form.details(),
        marketing_consent=form.cleaned_data["marketing"],
        mine=mine,
    )
    leads.remember_form(form.data["started"], consult.reference)
    if outcome is leads.Outcome.CREATED:
        count_consult_request(request)
        request.session[MINE_KEY] = [*mine[-(MINE_KEPT - 1) :], consult.reference]
        leads.notify_clinic(consult)
        leads.confirm_to_patient(consult)
    elif outcome is leads.Outcome.UPDATED:
        leads.notify_clinic(consult, updated=True)
    ref = signing.dumps({"ref": consult.reference, "outcome": outcome.value}, salt=SENT_SALT)
    return redirect(f"{reverse('therapists:consult-sent')}?ref={ref}")


def _form_again(request, form, context):
    """The form back with everything typed. When only its timing was wrong (filled
    very fast, left open for hours, sent twice) it comes back ready: one click sends it."""
    if "started" in form.errors or form.is_valid():
        form.data = form.data.copy()
        form.data["started"] = started_token(ready=True)
        context["ready"] = set(form.errors) <= {"started"}
    return render(request, "therapists/consult_form.html", context, status=200)


def consult_sent(request):
    """The confirmation page, only for the browser that sent the request."""
    try:
        sent = signing.loads(request.GET.get("ref", ""), salt=SENT_SALT, max_age=SENT_MAX_AGE)
        reference, outcome = sent["ref"], sent["outcome"]
    except (signing.BadSignature, TypeError, KeyError):
        reference = outcome = None
    mine = request.session.get(MINE_KEY, [])
    consult = ConsultRequest.objects.select_related("clinic", "therapist").filter(reference=reference).first()
    if consult is None or reference not in mine:
        return render(request, "therapists/consult_sent.html", {"consult": None}, status=404)
    return render(request, "therapists/consult_sent.html", {"consult": consult, "outcome": outcome})


def consult_withdraw(request, token):
    """The patient's withdraw link: a page that asks, and a button that erases."""
    consult = leads.withdrawable(token)
    if consult is None:
        return render(request, "therapists/consult_withdraw.html", {"consult": None}, status=404)
    if request.method == "POST":
        leads.withdraw(consult)
        return render(request, "therapists/consult_withdraw.html", {"withdrawn": consult.clinic})
    return render(request, "therapists/consult_withdraw.html", {"consult": consult})


def privacy(request):
    context = {"retention_days": settings.CONSULT_RETENTION_DAYS, "privacy_email": settings.PRIVACY_EMAIL}
    return render(request, "therapists/privacy.html", context)


def report_therapist(request, slug):
    """ "Report outdated information" about a therapist's listing."""
    therapist = get_object_or_404(
        Therapist.objects.published().prefetch_related(
            Prefetch("locations", queryset=Location.objects.select_related("clinic"))
        ),
        slug=slug,
    )
    clinics = list({location.clinic.pk: location.clinic for location in therapist.locations.all()}.values())
    if not clinics:
        raise Http404("This therapist is not listed at a clinic.")
    return _report(request, clinics, therapist)


def report_clinic(request, slug):
    """ "Report outdated information" about a clinic's page."""
    return _report(request, [get_object_or_404(Clinic, slug=slug)], None)


def _report(request, clinics, therapist):
    form = reports.OutdatedReportForm(request.POST if request.method == "POST" else None, clinics=clinics)
    context = {"form": form, "therapist": therapist, "clinic": clinics[0] if len(clinics) == 1 else None}
    if request.method != "POST":
        return render(request, "therapists/report_form.html", context)
    if form.is_spam:
        return render(request, "therapists/report_sent.html", context, status=400)
    if reports.limit_reached(request):
        context["limited"] = True
        return render(request, "therapists/report_form.html", context, status=429)
    if not form.is_valid():
        return render(request, "therapists/report_form.html", context)
    report = reports.submit(
        clinic=form.clinic,
        therapist=therapist,
        wrong=form.cleaned_data["wrong"],
        note=form.cleaned_data["note"],
        email=form.cleaned_data["email"],
    )
    reports.count(request)
    return render(request, "therapists/report_sent.html", {**context, "report": report})


def landing_page(request, city, topic):
    """ "Massage therapists in Winnipeg": a city and a topic with listings, else 404."""
    page, nearby, related = landing.find(city, topic)
    if page is None:
        raise Http404("No listings here.")
    if page.topic.slug != topic:  # the other language's slug, or an old one
        return redirect(page.get_absolute_url(), permanent=True)
    context = {
        "landing": page,
        "results": page.search,
        "nearby": nearby,
        "related": related,
        "alternates": seo.alternates_of(page),
        "structured_data": seo.landing_data(request, page),
    }
    return render(request, "therapists/landing.html", context)


def guide_list(request):
    return render(request, "guides/guide_list.html", {"guides": guides.GUIDES})


def guide_detail(request, slug):
    guide = guides.get(slug)
    if guide.slug != slug:
        return redirect(guide.get_absolute_url(), permanent=True)
    context = {"guide": guide, "alternates": seo.alternates_of(guide)}
    return render(request, "guides/guide_detail.html", context)
