"""Where patients find nobody, and how often clinics' listings are seen: counters only.

The operator recruits clinics where searches find no one in person within the radius;
clinics see how often their listings were shown in results and opened. Both are
counters upserted per week in one statement (INSERT ... ON CONFLICT, on SQLite and
PostgreSQL alike), never a log of searches: a place is a city, neighbourhood or postal
area (FSA) from our gazetteer, never coordinates, and the free-text `q` is left out
of the filters, so nothing identifies a patient. Counting never breaks a page.
"""

import datetime
import logging

from django.db import DatabaseError, connection
from django.utils import timezone

from therapists.filters import FILTERS
from therapists.models import ListingWeek, SearchGap, Therapist

logger = logging.getLogger(__name__)

# Searches from "Use my location" have no place name: counted together, by province.
NEAR_A_DEVICE = "(device location)"
FILTERS_LENGTH = SearchGap._meta.get_field("filters").max_length


def week_of(day: datetime.date | None = None) -> datetime.date:
    """The Monday of the week of `day` (today by default)."""
    day = day or timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def filters_in_words(filterset) -> str:
    """The search's filters as a short stable text ("area=back; discipline=massage; new_patients"),
    free text left out."""
    data = getattr(filterset.form, "cleaned_data", {})
    parts = []
    for name in FILTERS:
        value = data.get(name)
        if name == "q" or not value:
            continue
        if value is True:
            parts.append(name)
        elif isinstance(value, list | tuple | set) or hasattr(value, "model"):
            keys = sorted(
                str(getattr(item, "slug", None) or getattr(item, "code", None) or item) for item in value
            )
            parts.append(f"{name}={','.join(keys)}")
        else:
            parts.append(f"{name}={value}")
    return "; ".join(sorted(parts))[:FILTERS_LENGTH]


def _key(item) -> str:
    return str(getattr(item, "slug", None) or getattr(item, "code", None) or item)


def _upsert(sql: str, params: list) -> None:
    # One statement in autocommit (no savepoint around it: the search page's one extra query).
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        logger.warning("demand counters not updated (%s)", type(error).__name__)


def record_search(search) -> None:
    """Count one search page: a gap when a place was searched and nobody was found in
    person within the radius (first page only), else the listings it showed. One write."""
    if search.origin is None:
        return
    week = week_of()
    if not search.within:
        if search.page.number != 1:
            return
        place = search.origin.place
        name = place.name if place else NEAR_A_DEVICE
        province = place.province if place else (search.province or "")
        table = SearchGap._meta.db_table
        _upsert(
            f"INSERT INTO {table} (week, place, province, filters, searches) VALUES (%s, %s, %s, %s, 1) "
            f"ON CONFLICT (week, place, filters) DO UPDATE SET searches = {table}.searches + 1",
            [week, name[:120], province, filters_in_words(search.filterset)],
        )
        return
    shown = sorted({result.therapist.pk for result in search.results})
    _count_listings(shown, week, "shown")


def record_opened(therapist: Therapist) -> None:
    """Count one opening of a therapist's profile."""
    _count_listings([therapist.pk], week_of(), "opened")


def _count_listings(therapist_ids: list[int], week: datetime.date, column: str) -> None:
    if not therapist_ids:
        return
    table = ListingWeek._meta.db_table
    shown, opened = (1, 0) if column == "shown" else (0, 1)
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(therapist_ids))
    params = [value for pk in therapist_ids for value in (pk, week, shown, opened)]
    _upsert(
        f"INSERT INTO {table} (therapist_id, week, shown, opened) VALUES {rows} "
        f"ON CONFLICT (therapist_id, week) DO UPDATE SET {column} = {table}.{column} + 1",
        params,
    )
