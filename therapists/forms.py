import time

import phonenumbers
from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from therapists.models import SOMEWHERE_ELSE, BodyArea, Location, MeetingMode

ALLOWED_PHONE_REGIONS = {"CA", "US"}
_STARTED_SALT = "therapists.consult.started"
ELSEWHERE = "other"  # the form's value for "Somewhere else"


class ExpressConsentCheckbox(forms.CheckboxInput):
    """A checkbox that counts only when really ticked.

    Django's CheckboxInput reads any non-empty value ("0", "off", "no") as True;
    consent must be the exact value our form sends, and nothing else.
    """

    checked_value = "yes"

    def __init__(self, attrs=None):
        super().__init__({"value": self.checked_value, **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        return data.get(name) == self.checked_value


class LocationChoice(forms.RadioSelect):
    """Radio buttons for the clinic address; each carries the consent wording for its
    clinic, which static/js/consult.js puts under the consent box when it is ticked."""

    def __init__(self, consent_texts: dict[str, str], attrs=None):
        super().__init__(attrs)
        self.consent_texts = consent_texts

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-consent"] = self.consent_texts.get(str(value), "")
        return option


def parse_phone(value: str) -> str:
    """A Canadian or US phone number in E.164 form (+12045550123), or ValidationError."""
    try:
        number = phonenumbers.parse(value, "CA")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) not in ALLOWED_PHONE_REGIONS
    ):
        raise forms.ValidationError(
            "Enter a Canadian or US phone number with its area code, e.g. 204-555-0123.", code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def started_token(at: float | None = None) -> str:
    """A signed note of when the form was shown (Unix seconds), to spot forms filled faster
    than a person can."""
    return signing.dumps(time.time() if at is None else at, salt=_STARTED_SALT)


class ConsultRequestForm(forms.Form):
    """A patient's free consult / call-back request. Validates only; leads.submit saves.

    For a therapist the form asks where (`locations`: the therapist's addresses) and
    accepts only one of those; a request to a whole clinic has no such field.
    """

    location = forms.ChoiceField(
        label=_("Where would you like to be seen?"),
        error_messages={"required": _("Choose the clinic you would like to be seen at.")},
    )
    name = forms.CharField(
        max_length=120, label="Your name", widget=forms.TextInput({"autocomplete": "name"})
    )
    email = forms.EmailField(max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))
    phone = forms.CharField(
        max_length=32,
        help_text="Canadian or US number, with area code.",
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
    )
    area = forms.ChoiceField(label=_("Where does it hurt?"))
    meeting = forms.ChoiceField(
        label="How would you like to meet?", choices=MeetingMode.choices, widget=forms.RadioSelect
    )
    preferred_times = forms.CharField(
        max_length=200, label="When is a good time to reach you?", help_text="e.g. weekday mornings"
    )
    message = forms.CharField(
        max_length=1000,
        required=False,
        label="Anything else? (optional)",
        widget=forms.Textarea({"rows": 3}),
        help_text="Please leave out anything you would not want the clinic's front desk to read.",
    )
    consent = forms.BooleanField(
        widget=ExpressConsentCheckbox,
        error_messages={"required": "We can only send your request if you agree to the clinic receiving it."},
    )
    marketing = forms.BooleanField(widget=ExpressConsentCheckbox, required=False)
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        consent_label: str,
        marketing_label: str,
        locations: list[Location] | None = None,
        consent_texts: dict[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label
        self.fields["marketing"].label = marketing_label
        if not self.is_bound:
            self.initial["started"] = started_token()
        self.body_areas = {area.slug: area for area in BodyArea.objects.all()}
        self.fields["area"].choices = [
            ("", _("Choose…")),
            *((area.slug, area.name) for area in self.body_areas.values()),
            (ELSEWHERE, SOMEWHERE_ELSE),
        ]
        self.locations = {str(location.pk): location for location in locations or []}
        if not self.locations:
            del self.fields["location"]
            return
        field = self.fields["location"]
        field.choices = [
            (pk, f"{location.clinic.name}, {location.address}") for pk, location in self.locations.items()
        ]
        if len(self.locations) == 1:
            field.widget = forms.HiddenInput()
        else:
            field.widget = LocationChoice(consent_texts or {})
            field.widget.choices = field.choices

    def clean_area(self) -> BodyArea | None:
        """The body area chosen, or None for "Somewhere else"."""
        return self.body_areas.get(self.cleaned_data["area"])

    def clean_location(self) -> Location:
        return self.locations[self.cleaned_data["location"]]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name or not any(ch.isalpha() for ch in name):
            raise forms.ValidationError("Enter your name.", code="name")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        return parse_phone(self.cleaned_data["phone"])

    def clean_preferred_times(self):
        return " ".join(self.cleaned_data["preferred_times"].split())

    def clean_started(self):
        try:
            started = float(signing.loads(self.cleaned_data["started"], salt=_STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            started = None
        if started is None or time.time() - started < settings.CONSULT_MIN_FILL_SECONDS:
            raise forms.ValidationError("Please check your details and send the form again.", code="too_fast")
        return started

    @property
    def is_spam(self) -> bool:
        """True when the honeypot field was filled in, which only bots do."""
        return bool(self.data.get("website"))

    def details(self) -> dict:
        """The request's fields, for leads.submit."""
        return {
            key: self.cleaned_data[key]
            for key in ["name", "email", "phone", "area", "meeting", "preferred_times", "message"]
        }
