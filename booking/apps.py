from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Online booking")

    def ready(self):
        # "Next available" must follow every change of hours or closure, wherever it is
        # made (the admin, an import, the shell): the therapists app knows nothing of
        # bookings, so its models are watched from here. Bulk writes skip signals; the
        # `refresh_next_available` command (cron) catches those and rolls the window.
        from booking.signals import hours_changed
        from therapists.models import Closure, Location, OpeningHours, SpecialHours, TherapistHours

        for model in (OpeningHours, Closure, SpecialHours, TherapistHours, Location):
            post_save.connect(hours_changed, sender=model, dispatch_uid=f"booking-{model.__name__}-save")
            post_delete.connect(hours_changed, sender=model, dispatch_uid=f"booking-{model.__name__}-delete")
