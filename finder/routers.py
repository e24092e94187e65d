"""Read replicas: which database each query goes to.

Public pages read from a PostgreSQL streaming replica (`DATABASE_REPLICA_URLS`);
the primary keeps everything that must see the latest data:

- every write, and every read after a write in the same request;
- the admin, and any request carrying a session cookie: staff are logged in there,
  and with SESSION_SAVE_EVERY_REQUEST the session row itself is rewritten on each
  request, so a replica a moment behind could read a session that was just changed;
- unsafe methods (POST, ...), and the same client's requests for
  REPLICA_PIN_SECONDS after one (a cookie), so a patient who just sent a form, or
  staff who just saved a listing, never see the page from before their own write;
- anything outside a request (management commands, the shell, tests): reads there
  often follow a write that a replica has not replayed yet;
- whatever a person just wrote and expects to find again, whatever the request:
  consult requests, users, sessions, login attempts, the admin's log (PRIMARY_ONLY).

`PrimaryPinMiddleware` decides per request; `ReplicaRouter` asks it. The decision
lives in a context variable, so threads and async tasks each keep their own.
"""

from __future__ import annotations

import contextvars
import random

from django.conf import settings

PRIMARY = "default"
PIN_COOKIE = "primary"  # its presence pins this browser's requests to the primary
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Apps, or app.model labels, always read from the primary.
PRIMARY_ONLY = frozenset({"admin", "auth", "sessions", "axes", "therapists.consultrequest"})

# True while the current request may read from a replica; off outside requests.
_replica_reads = contextvars.ContextVar("replica_reads", default=False)
# True once the current request has written: it then reads from the primary too.
_wrote = contextvars.ContextVar("wrote", default=False)


def replica_aliases() -> list[str]:
    """The database aliases of the configured replicas (settings.DATABASE_REPLICAS)."""
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def may_read_from_replica(request) -> bool:
    """Whether this request's reads may go to a replica (see the module docstring)."""
    if request.method not in SAFE_METHODS:
        return False
    if request.path.startswith(f"/{settings.ADMIN_URL}"):
        return False
    return PIN_COOKIE not in request.COOKIES and settings.SESSION_COOKIE_NAME not in request.COOKIES


class ReplicaRouter:
    """Reads to a random replica when the current request allows it; all else to the primary."""

    def db_for_read(self, model, **hints):
        replicas = replica_aliases()
        if not (replicas and _replica_reads.get()) or _wrote.get():
            return PRIMARY
        if model._meta.app_label in PRIMARY_ONLY or model._meta.label_lower in PRIMARY_ONLY:
            return PRIMARY
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the primary's data: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas replay the primary's schema; migrating one directly would fail (read-only).
        return db == PRIMARY


class PrimaryPinMiddleware:
    """Marks the request as allowed to read from a replica, or not, and pins a client
    to the primary for REPLICA_PIN_SECONDS after a write or an unsafe request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replica_token = _replica_reads.set(bool(replica_aliases()) and may_read_from_replica(request))
        wrote_token = _wrote.set(False)
        try:
            response = self.get_response(request)
            wrote = _wrote.get()
        finally:
            _replica_reads.reset(replica_token)
            _wrote.reset(wrote_token)
        if replica_aliases() and (wrote or request.method not in SAFE_METHODS):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
