from django.shortcuts import get_object_or_404, render

from therapists.models import Clinic, Discipline, Therapist


def home(request):
    return render(request, "therapists/home.html", {"disciplines": Discipline.objects.all()})


def therapist_detail(request, slug):
    therapist = get_object_or_404(Therapist.objects.filter(is_published=True), slug=slug)
    return render(request, "therapists/therapist_detail.html", {"therapist": therapist})


def clinic_detail(request, slug):
    clinic = get_object_or_404(Clinic, slug=slug)
    return render(request, "therapists/clinic_detail.html", {"clinic": clinic})
