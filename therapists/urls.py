from django.urls import path

from therapists import views

app_name = "therapists"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("therapists/<slug:slug>/", views.therapist_detail, name="therapist-detail"),
    path("clinics/<slug:slug>/", views.clinic_detail, name="clinic-detail"),
    path("therapists/<slug:slug>/consult/", views.consult_therapist, name="therapist-consult"),
    path("clinics/<slug:slug>/consult/", views.consult_clinic, name="clinic-consult"),
    path("therapists/<slug:slug>/report/", views.report_therapist, name="therapist-report"),
    path("clinics/<slug:slug>/report/", views.report_clinic, name="clinic-report"),
    path("consult/sent/", views.consult_sent, name="consult-sent"),
    path("consult/withdraw/<str:token>/", views.consult_withdraw, name="consult-withdraw"),
    path("privacy/", views.privacy, name="privacy"),
]
