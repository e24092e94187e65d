from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from django.views.static import serve

from booking import views as booking_views
from finder import metrics, views
from therapists import api
from therapists.admin import view_on_site
from therapists.sitemaps import SITEMAPS

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Prometheus scrapes here; 404 unless METRICS_ALLOWED_IPS or METRICS_TOKEN lets it in.
    path("metrics", metrics.metrics_view, name="metrics"),
    # The language switcher posts here; it keeps the page (its `next`) in the chosen language.
    # No CSRF token: a forged post can only change the display language (a cookie the
    # visitor changes back in one click), and `next` is checked to stay on this site. A
    # token would set the CSRF cookie on every page, and a page that sets a cookie is
    # never kept by the search page cache (therapists.page_cache).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
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
]
# The patients' pages: English at the plain paths, French under /fr/ with French path words.
urlpatterns += i18n_patterns(
    path("", include("booking.urls")),
    path("", include("therapists.urls")),
    prefix_default_language=False,
)

if settings.SERVE_MEDIA and not settings.MEDIA_URL.startswith(("http://", "https://")):
    # Uploaded photos from our own origin when no proxy serves /media/ (`make run`, `make serve`).
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        )
    )

handler500 = "finder.views.server_error"
