"""Template helpers for showing listings: distances, opening hours, map links."""

from django import template
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext

from therapists import fees, geocoding
from therapists.models import Location, Weekday

register = template.Library()


@register.filter
def km(distance_km: float | None) -> str:
    """ "2.3 km": straight-line distance to one decimal ("2,3 km" in French)."""
    if distance_km is None:
        return ""
    # Rounded as Python rounds (as geopy's figures are checked), then the language's decimal mark.
    number = f"{distance_km:.1f}".replace(".", get_format("DECIMAL_SEPARATOR"))
    return gettext("%(km)s km") % {"km": number}


@register.filter
def about_km(distance_km: float) -> str:
    """A long distance in plain words: "about 480 km" (tens of km from 100 km, whole km below)."""
    rounded = round(distance_km, -1 if distance_km >= 100 else 0)
    return gettext("about %(km)s km") % {"km": number_format(rounded, 0, use_l10n=True, force_grouping=True)}


@register.filter
def weekly_hours(location: Location) -> list[tuple[str, str]]:
    """Each weekday with its opening periods ("9:00–12:00, 13:00–17:00") or "Closed".

    Uses the prefetched `opening_hours`, so a page of locations costs one query.
    """
    by_day: dict[int, list[str]] = {day: [] for day in Weekday.values}
    for period in location.opening_hours.all():
        by_day[period.weekday].append(f"{period.opens:%H:%M}–{period.closes:%H:%M}")
    return [(Weekday(day).label, ", ".join(periods) or gettext("Closed")) for day, periods in by_day.items()]


@register.filter
def tel_href(phone: str) -> str:
    """A `tel:` link for a phone number as a clinic typed it: "(204) 555-0100" -> "tel:+2045550100"."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 10:  # North American number without its country code
        digits = "1" + digits
    return f"tel:+{digits}" if digits else ""


@register.filter
def map_url(location: Location) -> str:
    """A link to the location on OpenStreetMap (followed only when the patient clicks it)."""
    return geocoding.map_url(location.point)


@register.simple_tag
def choice_options(field) -> list[dict]:
    """The options of a multiple-choice field as plain data (value, label, id, checked),
    for checkboxes or a select written out in the template.

    Rendering each option through Django's widget templates costs a template
    render per option, a large share of a results page's time; the HTML is the same.
    """
    selected = {str(value) for value in field.value() or []}
    return [
        {
            "value": str(value),
            "label": label,
            "id": f"{field.auto_id}_{index}",
            "checked": str(value) in selected,
        }
        for index, (value, label) in enumerate(field.field.choices)
    ]


FEW = 3  # names a card lists before "+N"


@register.filter
def few(items: list) -> str:
    """ "Canada Life, Manulife, Sun Life +3": the first few names, then how many more."""
    names = ", ".join(str(item) for item in items[:FEW])
    if len(items) <= FEW:
        return names
    return gettext("%(names)s +%(count)s") % {"names": names, "count": len(items) - FEW}


@register.filter
def initials(therapist) -> str:
    """ "PT" for Pat Tester: the placeholder a card shows instead of a photo."""
    return f"{therapist.first_name[:1]}{therapist.last_name[:1]}".upper()


@register.filter
def money(price) -> str:
    """ "$95" or "$92.50"."""
    return fees.money(price)
