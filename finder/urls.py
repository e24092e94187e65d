from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from booking import views as booking_views
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
    # SMART Scheduling Links: our free times for other directories (booking.smart).
    path("api/smart/$bulk-publish", booking_views.smart_manifest, name="smart-manifest"),
    path("api/smart/<str:kind>.ndjson", booking_views.smart_file, name="smart-file"),
    path("api/", api.urls),
    path("", include("booking.urls")),
    path("", include("therapists.urls")),
]

if settings.SERVE_MEDIA and not settings.MEDIA_URL.startswith(("http://", "https://")):
    # Uploaded photos from our own origin when no proxy serves /media/ (`make run`, `make serve`).
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        )
    )

handler500 = "finder.views.server_error"
