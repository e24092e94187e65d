from django.urls import path

from booking import views

app_name = "booking"

urlpatterns = [
    path("book/<slug:slug>/<int:location>/", views.choose_time, name="choose-time"),
    path("book/<slug:slug>/<int:location>/details/", views.details, name="details"),
    path("booking/done/", views.done, name="done"),
    path("booking/cancel/<str:token>/", views.cancel, name="cancel"),
    path("booking/reschedule/<str:token>/", views.reschedule, name="reschedule"),
]
