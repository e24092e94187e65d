from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from finder import metrics, views
from therapists import api
from therapists.admin import view_on_site

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Prometheus scrapes here; 404 unless METRICS_ALLOWED_IPS or METRICS_TOKEN lets it in.
    path("metrics", metrics.metrics_view, name="metrics"),
    # Before the admin's own: "View on site" only for objects the user may see there.
    path(
        f"{settings.ADMIN_URL}r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", api.urls),
    path("", include("therapists.urls")),
]

handler500 = "finder.views.server_error"
