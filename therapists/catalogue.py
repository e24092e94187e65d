"""Reference data held in memory by each process: disciplines, body areas, areas of
focus, languages, insurers and programmes, and the tags clinics declare.

Every search page needs all of them (the filter form lists them, the cards name them)
and they change a few times a year, so reading them from the database on every
request was a query each, and the ORM's work around it, for the same rows. Here they
are read once per process and language, in each model's order for that language
(names sort differently in French), and kept until they change.

- **Changes**: a write of any of these models, through `save()`, `delete()` or a
  many-to-many change (the admin, `loaddata`, migrations through the ORM), calls
  `changed()`: this process forgets its copy at once, and the shared version in the
  cache changes now and when the transaction commits.
- **Other processes** read the shared version at most every CHECK_SECONDS and reload
  when it differs, so an edit shows everywhere within a second of its commit.
  Without a shared cache (Redis down), each process reloads every FALLBACK_SECONDS.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language
from redis.exceptions import RedisError

from therapists.models import BodyArea, Discipline, Language, Payer, Specialty, Tag

MODELS = (Discipline, BodyArea, Specialty, Language, Payer, Tag)
VERSION_KEY = "catalogue:version"
CHECK_SECONDS = 1.0  # how stale another process's edit may look, at most
FALLBACK_SECONDS = 60.0  # how long a copy is trusted when the shared version cannot be read


@dataclass(frozen=True)
class Snapshot:
    """The reference rows of one language, in each model's order."""

    rows: dict[type, list]
    by_pk: dict[type, dict[int, object]]

    def all(self, model) -> list:
        return self.rows[model]

    def get(self, model, pk: int):
        return self.by_pk[model][pk]


class _Held:
    """This process's copies, one a language, and the version they were read at."""

    def __init__(self):
        self.lock = threading.Lock()
        self.snapshots: dict[str, Snapshot] = {}
        self.version: str | None = None
        self.checked = float("-inf")  # time.monotonic() of the last look at the shared version
        self.loaded = float("-inf")  # and of the last read from the database
        self.generation = 0  # counts `forget()`s, so a read that overlapped one is not kept


_held = _Held()


def _shared_version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        return version
    except (RedisError, OSError):
        return None


def _load() -> Snapshot:
    rows = {model: list(model.objects.all()) for model in MODELS}
    return Snapshot(rows, {model: {row.pk: row for row in found} for model, found in rows.items()})


def current() -> Snapshot:
    """The reference data in the active language's order."""
    language = get_language() or ""
    now = time.monotonic()
    with _held.lock:
        if now - _held.checked >= CHECK_SECONDS:
            _held.checked = now
            version = _shared_version()
            if version is None:  # no shared cache: trust the copies for a while only
                if now - _held.loaded >= FALLBACK_SECONDS:
                    _held.snapshots.clear()
            elif version != _held.version:
                _held.snapshots.clear()
                _held.generation += 1
                _held.version = version
        snapshot = _held.snapshots.get(language)
        generation = _held.generation
    if snapshot is None:
        snapshot = _load()
        with _held.lock:
            if generation == _held.generation:  # not forgotten while it was read
                _held.snapshots[language] = snapshot
                _held.loaded = now
    return snapshot


def forget() -> None:
    """Drop this process's copies (the next read loads them again)."""
    with _held.lock:
        _held.snapshots.clear()
        _held.generation += 1
        _held.checked = float("-inf")


def _new_version() -> None:
    with contextlib.suppress(RedisError, OSError):
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def changed() -> None:
    """Reference data was written: forget it here now, and everywhere now and on commit."""
    forget()
    _new_version()
    connection = transaction.get_connection()
    if not any(callback is _new_version for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_new_version)


def _on_write(sender, **kwargs) -> None:
    changed()


def connect_signals() -> None:
    for model in MODELS:
        label = model._meta.label
        post_save.connect(_on_write, sender=model, dispatch_uid=f"catalogue-save-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"catalogue-delete-{label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            uid = f"catalogue-m2m-{through._meta.label}"
            m2m_changed.connect(_on_write, sender=through, dispatch_uid=uid)
