from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from therapists import filters
from therapists.models import Clinic, Location, Therapist

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
    return render(
        request, "therapists/therapist_detail.html", {"therapist": therapist, "body_areas": body_areas}
    )


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
    return render(request, "therapists/clinic_detail.html", {"clinic": clinic, "therapists": therapists})
