import functools
import logging

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError

from therapists import filters, leads
from therapists.forms import ConsultRequestForm, started_token
from therapists.models import Clinic, ConsultRequest, Location, Therapist

SENT_SALT = "therapists.consult.sent"
SENT_MAX_AGE = 60 * 60  # seconds the confirmation page can be reopened

logger = logging.getLogger(__name__)


def limit_consult_requests(view):
    """Count consult requests per client address; `request.limited` says when there were too many.

    The rate is read from settings on each request, so overrides take effect. When
    the cache that counts (Redis) is down, the request is taken rather than lost.
    """

    def rate(group, request):
        return settings.CONSULT_RATE_LIMIT

    @functools.wraps(view)
    def counted(request, *args, **kwargs):
        try:
            request.limited = is_ratelimited(
                request, fn=view, key="ip", rate=rate, method="POST", increment=True
            )
        except (RedisError, OSError):
            logger.warning("consult rate limit unavailable: the cache did not answer")
            request.limited = False
        return view(request, *args, **kwargs)

    return counted


# Links on the home page: (label, query string), each a real shareable search.
POPULAR_SEARCHES = [
    ("Massage therapists in Winnipeg", "where=Winnipeg&discipline=massage"),
    ("Physiotherapists in Vancouver", "where=Vancouver&discipline=physiotherapy"),
    ("Chiropractors in Edmonton", "where=Edmonton&discipline=chiropractic"),
    ("Massage therapists in Toronto", "where=Toronto&discipline=massage"),
    ("Back pain in Winnipeg", "where=Winnipeg&area=back"),
    ("Sports injuries in Toronto", "where=Toronto&specialty=sports-injuries"),
    ("Accepting new patients in Edmonton", "where=Edmonton&new_patients=1"),
    ("Virtual care in Vancouver", "where=Vancouver&virtual=1"),
]


def home(request):
    filterset = filters.TherapistFilter(queryset=Therapist.objects.none())
    return render(request, "therapists/home.html", {"form": filterset.form, "popular": POPULAR_SEARCHES})


def search(request):
    filterset, results = filters.search(request.GET, request.GET.get("page"))
    context = {
        "form": filterset.form,
        "results": results,
        "chips": filterset.chips(),
        "radius_choices": filters.RADIUS_CHOICES_KM,
        "max_radius_km": filters.MAX_RADIUS_KM,
    }
    return render(request, "therapists/search.html", context)


def therapist_detail(request, slug):
    therapist = get_object_or_404(Therapist.objects.published().with_profile(), slug=slug)
    body_areas = sorted(
        {area for specialty in therapist.specialties.all() for area in specialty.body_areas.all()},
        key=lambda area: (area.position, area.name),
    )
    locations = list(therapist.locations.all())
    chosen = leads.chosen_location(locations, request.GET.get("location"))
    context = {
        "therapist": therapist,
        "body_areas": body_areas,
        "locations": leads.chosen_first(locations, chosen),
        "consult_form": _therapist_form(therapist, locations, chosen) if locations else None,
    }
    return render(request, "therapists/therapist_detail.html", context)


def clinic_detail(request, slug):
    clinic = get_object_or_404(
        Clinic.objects.prefetch_related(
            Prefetch("locations", queryset=Location.objects.prefetch_related("opening_hours")),
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
    context = {"clinic": clinic, "therapists": therapists, "consult_form": _clinic_form(clinic)}
    return render(request, "therapists/clinic_detail.html", context)


def _therapist_form(therapist, locations, chosen, data=None) -> ConsultRequestForm:
    """The consult form for a therapist: it asks where, with the chosen address
    ticked, and its consent names that address's clinic."""
    return ConsultRequestForm(
        data,
        consent_label=leads.consent_text(chosen.clinic if chosen else None, therapist),
        marketing_label=leads.MARKETING_TEXT,
        locations=leads.chosen_first(locations, chosen),
        consent_texts={str(loc.pk): leads.consent_text(loc.clinic, therapist) for loc in locations},
        initial={"location": str(chosen.pk)} if chosen else {},
    )


def _clinic_form(clinic, data=None) -> ConsultRequestForm:
    return ConsultRequestForm(
        data, consent_label=leads.consent_text(clinic), marketing_label=leads.MARKETING_TEXT
    )


@limit_consult_requests
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


@limit_consult_requests
def consult_clinic(request, slug):
    clinic = get_object_or_404(Clinic, slug=slug)
    data = request.POST if request.method == "POST" else None
    return _consult(request, _clinic_form(clinic, data), {"clinic": clinic, "therapist": None})


def _consult(request, form, context):
    if request.method != "POST":
        context["form"] = form
        return render(request, "therapists/consult_form.html", context)
    if getattr(request, "limited", False):
        return render(request, "therapists/consult_limited.html", context, status=429)

    if form.is_spam:
        return render(request, "therapists/consult_rejected.html", context, status=400)
    if not form.is_valid():
        if "started" in form.errors:
            form.data = form.data.copy()
            form.data["started"] = started_token()
        context["form"] = form
        return render(request, "therapists/consult_form.html", context, status=200)

    consult, created = leads.submit(
        location=form.cleaned_data.get("location"),
        therapist=context["therapist"],
        clinic=context["clinic"],
        details=form.details(),
        marketing_consent=form.cleaned_data["marketing"],
    )
    if created:
        leads.notify_clinic(consult)
    ref = signing.dumps(consult.pk, salt=SENT_SALT)
    return redirect(f"{reverse('therapists:consult-sent')}?ref={ref}")


def consult_sent(request):
    try:
        pk = signing.loads(request.GET.get("ref", ""), salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature:
        return render(request, "therapists/consult_sent.html", {"consult": None}, status=404)
    consult = get_object_or_404(ConsultRequest.objects.select_related("clinic", "therapist"), pk=pk)
    return render(request, "therapists/consult_sent.html", {"consult": consult})
