"""Site-wide views: the health check, robots.txt, the icon and the server error page."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from finder.logs import current_request_id

logger = logging.getLogger(__name__)

# Consult, report and booking forms and confirmations are for people; nothing there to index (in English
# and under /fr/, whose path words are French). The sitemap lists every public page.
ROBOTS_TXT = """\
User-agent: *
Disallow: /consult/
Disallow: /therapists/*/consult/
Disallow: /clinics/*/consult/
Disallow: /therapists/*/report/
Disallow: /clinics/*/report/
Disallow: /fr/consultation/
Disallow: /fr/therapeutes/*/consultation/
Disallow: /fr/cliniques/*/consultation/
Disallow: /fr/therapeutes/*/signaler/
Disallow: /fr/cliniques/*/signaler/
Disallow: /book/
Disallow: /booking/
Disallow: /fr/reserver/
Disallow: /fr/reservation/

Sitemap: %(sitemap)s
"""


# Milliseconds the health check waits for the database: a monitor must hear "503" long
# before its own timeout, not hang behind a lock like the workers it watches.
HEALTH_TIMEOUT_MS = 1500


def probe_database() -> None:
    """Raise DatabaseError unless the database answers within HEALTH_TIMEOUT_MS.

    It waits where requests would: on PostgreSQL behind a lock on the locations table
    (every search reads it), on SQLite for the write lock (every write takes it).
    """
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {HEALTH_TIMEOUT_MS}")
            cursor.execute(f"SET LOCAL lock_timeout = {HEALTH_TIMEOUT_MS}")
            cursor.execute("SELECT 1 FROM therapists_location LIMIT 1")
        return
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            cursor.execute("SELECT 1")
            return
        busy_ms = int(connection.settings_dict["OPTIONS"].get("timeout", 5) * 1000)
        cursor.execute(f"PRAGMA busy_timeout = {HEALTH_TIMEOUT_MS}")
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE: takes the write lock
                cursor.execute("SELECT 1")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")


@require_safe
@never_cache
def healthz(request):
    """200 while the database answers, 503 when it does not: for load balancers and monitors."""
    try:
        probe_database()
    except DatabaseError as error:
        logger.error("health check failed: database unavailable (%s)", type(error).__name__)
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(ROBOTS_TXT % {"sitemap": sitemap}, content_type="text/plain")


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to our icon."""
    return redirect(static("favicon.svg"))


def server_error(request):
    """Like Django's own 500 view: no context processors, no database, so the page
    renders whatever broke; it adds the request id for the patient to quote."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429, and why."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "locked_out.html", context, status=429)
