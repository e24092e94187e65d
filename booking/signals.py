"""Keeps "next available" current when a location's or therapist's hours change."""

from booking import slots
from booking.models import OnlineBooking
from therapists.models import Location, TherapistHours


def hours_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures: `load_demo` refreshes everything afterwards
        return
    location_id = instance.pk if sender is Location else instance.location_id
    if not OnlineBooking.objects.filter(location_id=location_id).exists():
        return
    therapist = instance.therapist_id if sender is TherapistHours else None
    slots.refresh_next_available(location=location_id, therapist=therapist)
