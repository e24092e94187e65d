"""The patient's booking form: the consult form's fields and rules (name, email,
phone, express consent, honeypot, timing), without what only a call-back needs.
Validates only; `bookings.book` saves."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from therapists.forms import ConsultRequestForm

CALLBACK_ONLY = ("location", "area", "meeting", "preferred_times", "message", "marketing")


class BookingForm(ConsultRequestForm):
    start = forms.ChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("That time is no longer free: choose one of the times listed."),
        },
    )

    def __init__(self, *args, times: list[datetime.datetime], labels: dict[str, str], **kwargs):
        super().__init__(*args, marketing_label="", **kwargs)
        for name in CALLBACK_ONLY:
            self.fields.pop(name, None)
        self.times = {time.isoformat(): time for time in times}
        self.fields["start"].choices = [(key, labels.get(key, key)) for key in self.times]
        self.order_fields(["start", "name", "email", "phone", "consent"])

    def clean_start(self) -> datetime.datetime:
        return self.times[self.cleaned_data["start"]]

    def details(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("name", "email", "phone")}


class RescheduleForm(forms.Form):
    start = forms.ChoiceField(
        label=_("New time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("That time is no longer free: choose one of the times listed."),
        },
    )

    def __init__(self, *args, times: list[datetime.datetime], labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.times = {time.isoformat(): time for time in times}
        self.fields["start"].choices = [(key, labels.get(key, key)) for key in self.times]

    def clean_start(self) -> datetime.datetime:
        return self.times[self.cleaned_data["start"]]
