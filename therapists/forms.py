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
PHONE_HINT = _("Enter a phone number with its area code, e.g. 204-555-0123.")
SHORTEN = _("Shorten this to %(limit_value)d characters or fewer (it has %(show_value)d).")


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
            _("Enter a Canadian or US phone number with its area code, e.g. 204-555-0123."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def started_token(at: float | None = None, ready: bool = False) -> str:
    """A signed note of when the form was shown (Unix seconds), to spot forms filled faster
    than a person can. A `ready` form (given back with what was typed) may be sent at once."""
    if at is None:
        at = time.time() - (settings.CONSULT_MIN_FILL_SECONDS if ready else 0)
    return signing.dumps(at, salt=_STARTED_SALT)


class ConsultRequestForm(forms.Form):
    """A patient's free consult / call-back request. Validates only; leads.submit saves.

    For a therapist the form asks where (`locations`: the therapist's addresses) and
    accepts only one of those; a request to a whole clinic has no such field.
    """

    location = forms.ChoiceField(
        label=_("Where would you like to be seen?"),
        error_messages={
            "required": _("Choose the clinic you would like to be seen at."),
            "invalid_choice": _("Choose one of the clinics listed."),
        },
    )
    name = forms.CharField(
        max_length=120,
        label=_("Your name"),
        widget=forms.TextInput({"autocomplete": "name"}),
        error_messages={"required": _("Enter your name."), "max_length": SHORTEN},
    )
    email = forms.EmailField(
        max_length=254,
        label=_("Email"),
        widget=forms.EmailInput({"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address, e.g. sam@example.com."),
            "invalid": _("Enter your email address in the form name@example.com."),
            "max_length": SHORTEN,
        },
    )
    phone = forms.CharField(
        max_length=32,
        label=_("Phone"),
        help_text=_("Canadian or US number, with area code."),
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
        error_messages={"required": PHONE_HINT, "max_length": PHONE_HINT},
    )
    area = forms.ChoiceField(
        label=_("Where does it hurt?"),
        error_messages={
            "required": _("Choose where it hurts, or “Somewhere else”."),
            "invalid_choice": _("Choose where it hurts from the list."),
        },
    )
    meeting = forms.ChoiceField(
        label=_("How would you like to meet?"),
        choices=MeetingMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a phone call or an online video."),
            "invalid_choice": _("Choose a phone call or an online video."),
        },
    )
    preferred_times = forms.CharField(
        max_length=200,
        label=_("When is a good time to reach you?"),
        help_text=_("e.g. weekday mornings"),
        error_messages={
            "required": _("Tell the clinic when is a good time to reach you, e.g. weekday mornings."),
            "max_length": SHORTEN,
        },
    )
    message = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Anything else? (optional)"),
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Please leave out anything you would not want the clinic's front desk to read."),
        error_messages={"max_length": SHORTEN},
    )
    consent = forms.BooleanField(
        widget=ExpressConsentCheckbox,
        error_messages={
            "required": _(
                "Tick this box to agree that the clinic receives your request: we can only send "
                "your request if you agree."
            )
        },
    )
    marketing = forms.BooleanField(widget=ExpressConsentCheckbox, required=False)
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
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
            raise forms.ValidationError(_("Enter your name, in letters."), code="name")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        return parse_phone(self.cleaned_data["phone"])

    def clean_preferred_times(self):
        return " ".join(self.cleaned_data["preferred_times"].split())

    def clean_started(self):
        max_age = settings.CONSULT_FORM_MAX_HOURS * 3600
        try:
            started = float(signing.loads(self.cleaned_data["started"], salt=_STARTED_SALT, max_age=max_age))
        except (signing.BadSignature, TypeError, ValueError):  # forged, or open for hours
            started = None
        age = time.time() - started if started is not None else None
        if age is None or not settings.CONSULT_MIN_FILL_SECONDS <= age <= max_age:
            raise forms.ValidationError(_("Check your details, then send your request."), code="not_ready")
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
