from django.urls import path
from django.utils.translation import gettext_lazy as _

from therapists import views

app_name = "therapists"

# Path words a patient reads are in their language (/fr/recherche/); slugs stay as they are.

urlpatterns = [
    path("", views.home, name="home"),
    path(_("search/"), views.search, name="search"),
    path(_("therapists/<slug:slug>/"), views.therapist_detail, name="therapist-detail"),
    path(_("clinics/<slug:slug>/"), views.clinic_detail, name="clinic-detail"),
    path(_("therapists/<slug:slug>/consult/"), views.consult_therapist, name="therapist-consult"),
    path(_("clinics/<slug:slug>/consult/"), views.consult_clinic, name="clinic-consult"),
    path(_("therapists/<slug:slug>/report/"), views.report_therapist, name="therapist-report"),
    path(_("clinics/<slug:slug>/report/"), views.report_clinic, name="clinic-report"),
    path(_("consult/sent/"), views.consult_sent, name="consult-sent"),
    path(_("consult/withdraw/<str:token>/"), views.consult_withdraw, name="consult-withdraw"),
    path(_("privacy/"), views.privacy, name="privacy"),
    path(_("guides/"), views.guide_list, name="guide-list"),
    path(_("guides/<slug:slug>/"), views.guide_detail, name="guide-detail"),
    path(_("find/<slug:city>/<slug:topic>/"), views.landing_page, name="landing"),
]
