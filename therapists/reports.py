"""Reports of outdated information: a visitor tells a clinic its listing is wrong.

The form validates, `submit` saves in one transaction; the report lands in that
clinic's workspace (and the operator's), never another's. Abuse is limited like
consult requests: per client address, counted in the shared cache, and taken
rather than lost when the cache is down. Logs name reports by id only.
"""

import logging

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from finder.proxy import client_network
from therapists.models import Clinic, OutdatedReport, Therapist, has_control_characters

logger = logging.getLogger(__name__)

RATE_GROUP = "therapists.report"
NOTE_LIMIT = 1000


class OutdatedReportForm(forms.Form):
    """What is wrong, in ticks and a note; an email only if the visitor wants a reply."""

    wrong = forms.MultipleChoiceField(
        label=_("What is wrong?"),
        choices=list(OutdatedReport.WHAT.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("What should it say? (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_LIMIT,
        required=False,
    )
    email = forms.EmailField(
        label=_("Your email, if you would like a reply (optional)"),
        required=False,
        max_length=254,
    )
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, clinics: list[Clinic] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.clinics = {str(clinic.pk): clinic for clinic in clinics}
        if len(self.clinics) > 1:  # a therapist at several clinics: the report goes to one
            self.fields["clinic"] = forms.ChoiceField(
                label=_("At which clinic?"),
                choices=[(pk, clinic.name) for pk, clinic in self.clinics.items()],
                widget=forms.RadioSelect,
            )
            self.order_fields(["clinic"])

    @property
    def clinic(self) -> Clinic | None:
        """The clinic the report is for (after validation)."""
        if len(self.clinics) == 1:
            return next(iter(self.clinics.values()))
        return self.clinics.get(self.cleaned_data.get("clinic", ""))

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if has_control_characters(note.replace("\n", "").replace("\r", "").replace("\t", "")):
            raise forms.ValidationError(_("Remove the unusual characters from the note."))
        return note

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("wrong") and not cleaned.get("note") and not self.has_error("note"):
            raise forms.ValidationError(_("Tick what is wrong, or tell us in the note."))
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


def submit(*, clinic: Clinic, therapist: Therapist | None, wrong: list[str], note: str, email: str):
    """Save a report for `clinic` (about `therapist` when given)."""
    with transaction.atomic():
        report = OutdatedReport.objects.create(
            clinic=clinic,
            therapist=therapist,
            wrong=[key for key in OutdatedReport.WHAT if key in wrong],
            note=note,
            email=email.strip().lower(),
        )
    logger.info("outdated-information report %s saved for clinic %s", report.pk, clinic.pk)
    return report


def close(report: OutdatedReport, user, note: str) -> None:
    """Close a report with the clinic's note on what was done."""
    OutdatedReport.objects.filter(pk=report.pk).update(
        closed_at=timezone.now(), closed_by=user, closing_note=note
    )
    report.refresh_from_db(fields=["closed_at", "closed_by", "closing_note"])
    logger.info("outdated-information report %s closed", report.pk)


def _usage(request, increment: bool) -> dict | None:
    try:
        return get_usage(
            request,
            group=RATE_GROUP,
            key=client_network,
            rate=settings.REPORT_RATE_LIMIT,
            increment=increment,
        )
    except (RedisError, OSError):
        logger.warning("report rate limit unavailable: the cache did not answer")
        return None


def limit_reached(request) -> bool:
    """True when this address already sent as many reports as allowed (REPORT_RATE_LIMIT)."""
    usage = _usage(request, increment=False)
    return bool(usage) and usage["count"] >= usage["limit"]


def count(request) -> None:
    """Count an accepted report against the address (forms with mistakes cost nothing)."""
    _usage(request, increment=True)
