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
from therapists.search import find_therapists

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
    form = filters.TherapistFilter(queryset=Therapist.objects.none()).form
    return render(request, "therapists/home.html", {"form": form, "popular": POPULAR_SEARCHES})


def search(request):
    results = find_therapists(request.GET, request.GET.get("page"))
    context = {
        "form": results.form,
        "results": results,
        "chips": results.chips,
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
    clinic = _consult_clinic(therapist.locations.all())
    context = {
        "therapist": therapist,
        "body_areas": body_areas,
        "consult_clinic": clinic,
        "consult_form": _consult_form(clinic, therapist) if clinic else None,
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
    context = {"clinic": clinic, "therapists": therapists, "consult_form": _consult_form(clinic, None)}
    return render(request, "therapists/clinic_detail.html", context)


def _consult_clinic(locations) -> Clinic | None:
    """The clinic that receives a therapist's consult requests: of the clinics they
    practise at, the first by name. The consent text names it."""
    clinics = [location.clinic for location in locations]
    return min(clinics, key=lambda clinic: (clinic.name, clinic.pk), default=None)


def _consult_form(clinic, therapist, data=None) -> ConsultRequestForm:
    labels = {"consent_label": leads.consent_text(clinic, therapist), "marketing_label": leads.MARKETING_TEXT}
    return ConsultRequestForm(data, **labels)


@limit_consult_requests
def consult_therapist(request, slug):
    therapist = get_object_or_404(Therapist.objects.published(), slug=slug)
    clinic = _consult_clinic(therapist.locations.select_related("clinic"))
    if clinic is None:
        raise Http404("This therapist is not taking requests.")
    return _consult(request, clinic, therapist)


@limit_consult_requests
def consult_clinic(request, slug):
    return _consult(request, get_object_or_404(Clinic, slug=slug), None)


def _consult(request, clinic, therapist):
    context = {"clinic": clinic, "therapist": therapist}
    if request.method != "POST":
        context["form"] = _consult_form(clinic, therapist)
        return render(request, "therapists/consult_form.html", context)
    if getattr(request, "limited", False):
        return render(request, "therapists/consult_limited.html", context, status=429)

    form = _consult_form(clinic, therapist, request.POST)
    if form.is_spam:
        return render(request, "therapists/consult_rejected.html", context, status=400)
    if not form.is_valid():
        if "started" in form.errors:
            form.data = form.data.copy()
            form.data["started"] = started_token()
        context["form"] = form
        return render(request, "therapists/consult_form.html", context, status=200)

    consult, created = leads.submit(
        clinic=clinic,
        therapist=therapist,
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
