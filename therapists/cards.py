"""What a page of result cards shows beyond its therapists and locations, read in one
statement: each therapist's languages and tags, each clinic's payers, each pair's booking
link, and what decides each location's hours (weekly hours, closures and special hours
from a day on, the therapists' own hours there).

These were eight small ORM queries a page; each cost more in Python (building and
compiling the query, making model instances) than in the database. Here they are the
branches of one UNION ALL through a plain cursor, every value as text or an integer so
that the branches agree on PostgreSQL as well as SQLite. The names they stand for come
from the reference data each process holds (`therapists.catalogue`).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import connections, router

from therapists.models import (
    BookingLink,
    Clinic,
    Closure,
    OpeningHours,
    SpecialHours,
    Therapist,
    TherapistHours,
)

Period = tuple[int, datetime.time, datetime.time]  # weekday (0 is Monday), opens, closes


@dataclass
class Facts:
    languages: dict[int, list[int]] = field(default_factory=dict)  # therapist id: language ids
    tags: dict[int, list[int]] = field(default_factory=dict)  # therapist id: tag ids
    payers: dict[int, set[int]] = field(default_factory=dict)  # clinic id: payer ids
    booking_links: dict[tuple[int, int], str] = field(default_factory=dict)  # (therapist, location): url
    weekly: dict[int, list[Period]] = field(default_factory=dict)  # location id
    closures: dict[int, list[tuple[datetime.date, datetime.date, str]]] = field(default_factory=dict)
    special: dict[int, list[tuple[datetime.date, datetime.time, datetime.time]]] = field(default_factory=dict)
    own_hours: dict[tuple[int, int], list[Period]] = field(default_factory=dict)  # (therapist, location)


def _quoted(name: str) -> str:
    return name if name == "NULL" else connections[router.db_for_read(Therapist)].ops.quote_name(name)


def _branch(kind: str, model, columns: list[str], where: list[tuple[str, str]]) -> str:
    """One SELECT of the union: kind, two integers, three texts. `where`: (column, condition)."""
    values = [_quoted(column) for column in [*columns, *["NULL"] * (5 - len(columns))]]
    texts = ", ".join(f"CAST({value} AS TEXT)" for value in values[2:])
    conditions = " AND ".join(f"{_quoted(column)} {condition}" for column, condition in where)
    table = _quoted(model._meta.db_table)
    return f"SELECT '{kind}', {values[0]}, {values[1]}, {texts} FROM {table} WHERE {conditions}"


def _in(count: int) -> str:
    return f"IN ({', '.join(['%s'] * count)})"


def read(
    therapist_ids: Collection[int],
    location_ids: Collection[int],
    clinic_ids: Collection[int],
    since: datetime.date,
) -> Facts:
    """The facts of these therapists, locations and clinics; closures and special hours
    that end on or after `since`."""
    facts = Facts()
    if not therapist_ids:
        return facts
    therapists, locations, clinics = list(therapist_ids), list(location_ids), list(clinic_ids)
    of_therapists = ("therapist_id", _in(len(therapists)))
    at_locations = ("location_id", _in(len(locations)))
    at_clinics = ("clinic_id", _in(len(clinics)))
    pairs = therapists + locations
    # (kind, model, columns, conditions, parameters)
    selects = [
        ("l", Therapist.languages.through, ["therapist_id", "language_id"], [of_therapists], therapists),
        ("t", Therapist.tags.through, ["therapist_id", "tag_id"], [of_therapists], therapists),
        ("p", Clinic.payers.through, ["clinic_id", "payer_id"], [at_clinics], clinics),
        ("b", BookingLink, ["therapist_id", "location_id", "url"], [of_therapists, at_locations], pairs),
        ("h", OpeningHours, ["location_id", "weekday", "opens", "closes"], [at_locations], locations),
        ("c", Closure, ["location_id", "NULL", "first_day", "last_day", "reason"],
         [at_locations, ("last_day", ">= %s")], [*locations, since]),
        ("s", SpecialHours, ["location_id", "NULL", "date", "opens", "closes"],
         [at_locations, ("date", ">= %s")], [*locations, since]),
        ("o", TherapistHours, ["therapist_id", "location_id", "weekday", "opens", "closes"],
         [of_therapists, at_locations], pairs),
    ]  # fmt: skip
    branches = [
        (_branch(kind, model, columns, where), params) for kind, model, columns, where, params in selects
    ]
    sql = " UNION ALL ".join(branch for branch, _ in branches)
    params = [param for _, branch_params in branches for param in branch_params]
    with connections[router.db_for_read(Therapist)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    time, date = datetime.time.fromisoformat, datetime.date.fromisoformat
    for kind, a, b, x, y, z in rows:
        if kind == "l":
            facts.languages.setdefault(a, []).append(b)
        elif kind == "t":
            facts.tags.setdefault(a, []).append(b)
        elif kind == "p":
            facts.payers.setdefault(a, set()).add(b)
        elif kind == "b":
            facts.booking_links[a, b] = x
        elif kind == "h":
            facts.weekly.setdefault(a, []).append((b, time(x), time(y)))
        elif kind == "c":
            facts.closures.setdefault(a, []).append((date(x), date(y), z))
        elif kind == "s":
            facts.special.setdefault(a, []).append((date(x), time(y), time(z)))
        else:
            facts.own_hours.setdefault((a, b), []).append((int(x), time(y), time(z)))
    for found in facts.closures.values():
        found.sort()  # Closure's order: the first that covers a day gives the reason
    return facts
