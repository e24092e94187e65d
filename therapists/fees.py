"""Price lists: which fees apply to a therapist at a clinic, and how a card names the first.

A clinic's fee without a therapist is its price for everyone there whose discipline
gives the service (a massage is not a chiropractor's); a fee with a therapist is that
therapist's own price for the service and replaces the clinic's price for the same
service and length. Pages read every fee a page needs in one
query (`fees_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext

from therapists.models import Clinic, Fee, Location, Payer, PayerKind, Therapist, fee_applies


def applicable(fees: Iterable[Fee], therapist: Therapist, clinic_id: int) -> list[Fee]:
    """The fees of `clinic_id` that apply to `therapist` (with its discipline), shortest
    first, then cheapest: services of their discipline only (`fee_applies`)."""
    discipline = therapist.discipline.slug
    own = [fee for fee in fees if fee.clinic_id == clinic_id and fee.therapist_id == therapist.pk]
    replaced = {(fee.kind, fee.minutes) for fee in own}
    shared = [
        fee
        for fee in fees
        if fee.clinic_id == clinic_id
        and fee.therapist_id is None
        and (fee.kind, fee.minutes) not in replaced
        and fee_applies(fee.kind, discipline)
    ]
    return sorted([*own, *shared], key=lambda fee: (fee.minutes, fee.price, fee.pk))


def fees_for(pairs: Iterable[tuple[Therapist, int]]) -> dict[tuple[int, int], list[Fee]]:
    """The applicable fees for each (therapist, clinic id), keyed by (therapist id, clinic id),
    in one query. Therapists need their discipline loaded."""
    pairs = list(pairs)
    if not pairs:
        return {}
    therapists = {therapist.pk for therapist, clinic in pairs}
    clinics = {clinic for therapist, clinic in pairs}
    rows = list(
        Fee.objects.filter(clinic__in=clinics)
        .filter(Q(therapist__isnull=True) | Q(therapist__in=therapists))
        .order_by("minutes", "price", "pk")
    )
    return {(therapist.pk, clinic): applicable(rows, therapist, clinic) for therapist, clinic in pairs}


def headline(fees: list[Fee]) -> Fee | None:
    """The fee a card shows: the cheapest hour-long visit (what most patients book),
    else the cheapest of any length."""
    if not fees:
        return None
    hours = [fee for fee in fees if fee.minutes == 60]
    return min(hours or fees, key=lambda fee: (fee.price, fee.minutes, fee.pk))


def money(price: Decimal) -> str:
    """$95 for whole dollars, $92.50 otherwise; in French "95 $" and "92,50 $"."""
    places = 0 if price == price.to_integral_value() else 2
    amount = number_format(price, places, use_l10n=True, force_grouping=True)
    # Translators: a price in dollars; French puts the sign after the amount ("95 $").
    return gettext("$%(amount)s") % {"amount": amount}


def fee_line(fee: Fee) -> str:
    """ "60 min from $95" (plus tax when it applies)."""
    if fee.taxable:
        text = gettext("%(minutes)s min from %(price)s + tax")
    else:
        text = gettext("%(minutes)s min from %(price)s")
    return text % {"minutes": fee.minutes, "price": money(fee.price)}


@dataclass
class PriceList:
    """What a therapist costs at one clinic, and who pays besides the patient."""

    clinic: Clinic
    fees: list[Fee]
    insurers: list[Payer]
    programmes: list[Payer]


def price_lists(therapist: Therapist, locations: Iterable[Location]) -> list[PriceList]:
    """One price list per clinic among `locations` (clinics with their `payers` prefetched),
    in the order of first appearance; one query for every fee."""
    clinics = list({location.clinic_id: location.clinic for location in locations}.values())
    by_clinic = fees_for((therapist, clinic.pk) for clinic in clinics)
    return [
        PriceList(
            clinic,
            by_clinic[therapist.pk, clinic.pk],
            [payer for payer in clinic.payers.all() if payer.kind == PayerKind.INSURER],
            [payer for payer in clinic.payers.all() if payer.kind == PayerKind.PROGRAMME],
        )
        for clinic in clinics
    ]
