from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from finder import views
from therapists import api

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", api.urls),
    path("", include("therapists.urls")),
]

handler500 = "finder.views.server_error"
