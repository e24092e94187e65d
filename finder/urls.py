from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from booking import views as booking_views
from finder import views
from therapists import api
from therapists.admin import view_on_site

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
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

handler500 = "finder.views.server_error"
