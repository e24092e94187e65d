"""Search pages for anonymous visitors, kept for a short time in the shared cache.

Most searches repeat ("massage therapists in Winnipeg"); the same query gives the
same page to every patient until a listing changes or a minute turns. So:

- **Who**: only requests without a session, a message or the primary-pin cookie
  (finder.routers). Staff and anyone who was just shown a message always get a page
  made for them. A page that sets a cookie, or is not a 200, is never kept. The
  search page is a GET form: it carries no CSRF token, nothing personal.
- **Key**: the normalised query (parameters sorted, repeated values sorted, the
  place's spaces trimmed and collapsed; its case is kept, since the page shows the
  place as it was typed), the language, and the listings' version.
- **Invalidation**: the version changes on every write of listing data, so a page
  from before an edit is never found again. `listings_changed()` is that one
  function. The admin, CSV imports, `loaddata` and the shell all write through
  `save()`/`delete()`/many-to-many changes, and other work is adding listing models,
  so it is connected to the signals of every model of this app except consult
  requests (`connect_signals`) rather than called from each write path; the few
  paths that write around signals (bulk updates, bulk creates, COPY) call it
  themselves. The version also changes when the transaction commits, so a page
  rendered from the data of before the commit, while it was open, is dropped too.
- **Time**: "Open now, until 8 pm" changes on a minute (hours are kept to the
  minute; every Canadian zone is a whole number of half hours from UTC, so a
  local minute starts with a UTC minute). A page is kept at most
  PAGE_CACHE_SECONDS and never past the end of the minute it was made in.

With read replicas, a page made from a replica that has not yet replayed an edit
can be kept under the new version: for at most a minute, and replica lag is
normally milliseconds (see /metrics, finder_replica_lag_seconds).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation
from redis.exceptions import RedisError

from finder import metrics
from finder.routers import PIN_COOKIE

VERSION_KEY = "page-cache:listings-version"
# Models of this app whose rows never appear on a search page.
NOT_LISTINGS = {"consultrequest"}
# Cookies that mean a page may be made for this browser alone.
PERSONAL_COOKIES = ("messages", PIN_COOKIE)
# Form fields whose text is a place: its spacing is normalised in the key.
PLACE_FIELDS = {"where"}


def listings_version() -> str:
    """The current version of the listing data, made when first asked for."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def _new_version() -> None:
    # Without the cache, kept pages live out their minute; the write itself must not fail.
    with contextlib.suppress(RedisError, OSError):
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def listings_changed() -> None:
    """Forget every cached search page: call after any write of listing data.

    Now, for the rest of this request, and once more when the transaction commits
    (once however many rows it writes: a CSV import or `loaddata` writes thousands).
    """
    _new_version()
    connection = transaction.get_connection()
    if not any(callback is _new_version for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_new_version)


def is_listing_model(model) -> bool:
    return model._meta.app_label == "therapists" and model._meta.model_name not in NOT_LISTINGS


def _on_write(sender, **kwargs) -> None:
    listings_changed()


def connect_signals() -> None:
    """Connect `listings_changed` to the writes of every listing model and its many-to-many links."""
    for model in apps.get_app_config("therapists").get_models():
        if not is_listing_model(model):
            continue
        post_save.connect(_on_write, sender=model, dispatch_uid=f"page-cache-save-{model._meta.label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"page-cache-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            uid = f"page-cache-m2m-{through._meta.label}"
            m2m_changed.connect(_on_write, sender=through, dispatch_uid=uid)


def normalised_query(params) -> str:
    """The query string as a key: the same search however its parameters were ordered."""
    items = []
    for name in sorted(params):
        values = params.getlist(name)
        if name in PLACE_FIELDS:
            values = [" ".join(value.split()) for value in values]
        items.extend((name, value) for value in sorted(values))
    return "&".join(f"{name}={value}" for name, value in items)


def page_key(request) -> str:
    digest = hashlib.sha256(normalised_query(request.GET).encode()).hexdigest()
    return f"page-cache:search:{listings_version()}:{translation.get_language()}:{digest}"


def may_share(request) -> bool:
    """Whether this request may be answered with, and its answer kept as, a shared page."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return not any(name in request.COOKIES for name in PERSONAL_COOKIES)


def shareable(request, response) -> bool:
    """Whether the page made for this request is the same for everyone: a 200 that sets
    no cookie, asked for no CSRF token (its cookie is set later, by the middleware) and
    changed no session."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)


def seconds_to_keep(now: datetime.datetime | None = None) -> int:
    """PAGE_CACHE_SECONDS, or fewer: a page is never kept past the end of this minute."""
    now = now or timezone.now()
    left = 60 - now.second - (1 if now.microsecond else 0)
    return min(settings.PAGE_CACHE_SECONDS, left)


def cached_for_anonymous(view):
    """Serve `view`'s page from the shared cache to anonymous visitors (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_share(request):
            return view(request, *args, **kwargs)
        try:
            key = page_key(request)
            kept = cache.get(key)
        except (RedisError, OSError):
            return view(request, *args, **kwargs)  # no cache: every page is made afresh
        if kept is not None:
            metrics.PAGE_CACHE.labels("hit").inc()
            content, content_type, csp_update = kept
            response = HttpResponse(content, content_type=content_type)
            if csp_update:  # the map's tile server, which only this page may load from
                response._csp_update = csp_update
            return response
        metrics.PAGE_CACHE.labels("miss").inc()
        response = view(request, *args, **kwargs)
        seconds = seconds_to_keep()
        if seconds >= 1 and shareable(request, response):
            with contextlib.suppress(RedisError, OSError):
                kept = (response.content, response["Content-Type"], getattr(response, "_csp_update", None))
                cache.set(key, kept, seconds)
        return response

    return wrapper
