from django.urls import path
from django.utils.translation import gettext_lazy as _

from booking import views

app_name = "booking"

urlpatterns = [
    path(_("book/<slug:slug>/<int:location>/"), views.choose_time, name="choose-time"),
    path(_("book/<slug:slug>/<int:location>/details/"), views.details, name="details"),
    path(_("booking/done/"), views.done, name="done"),
    path(_("booking/cancel/<str:token>/"), views.cancel, name="cancel"),
    path(_("booking/reschedule/<str:token>/"), views.reschedule, name="reschedule"),
]
