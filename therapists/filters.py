"""The patient search form behind `GET /search/` and `GET /api/v1/search`.

Every search is a shareable URL. Filters combine with AND across facets and OR
within one (`discipline=massage&discipline=physiotherapy`). Bad input never
fails the page: a field that does not validate is left out of the search and
its message is shown, and text is cleaned before anything reaches the database.

`TherapistFilter.qs` is honest but partial: the published therapists that the
therapist-level filters keep, unranked. Where a therapist is found (the place,
the radius, the location-level filters and the order) is the search's job:
`therapists.search.find_therapists` runs the whole search.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from therapists import catalogue
from therapists.fees import money
from therapists.models import (
    BodyArea,
    Discipline,
    Gender,
    Language,
    Payer,
    PayerKind,
    Specialty,
    Tag,
    Therapist,
)

DEFAULT_RADIUS_KM = 25
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 500
RADIUS_CHOICES_KM = [5, 10, 25, 50, 100, 250, 500]
# Longest value kept from any query parameter (characters); the rest is cut off.
MAX_PARAMETER_LENGTH = 200
TRUE_VALUES = {"1", "true", "on", "yes"}


class FlagInput(forms.CheckboxInput):
    """A checkbox sent as `name=1`; "1", "true", "on" or "yes" mean yes, anything else no."""

    def __init__(self):
        super().__init__(attrs={"value": "1"})

    def value_from_datadict(self, data, files, name):
        return str(data.get(name, "")).strip().lower() in TRUE_VALUES


class DaysFlagInput(FlagInput):
    """`available=7`: a checkbox sent with the number of days it means; a yes value works too."""

    def __init__(self, days: int):
        forms.CheckboxInput.__init__(self, attrs={"value": str(days)})
        self.days = str(days)

    def value_from_datadict(self, data, files, name):
        value = str(data.get(name, "")).strip().lower()
        return value == self.days or value in TRUE_VALUES


class SelectOne(forms.Select):
    """A single-choice list that feeds a multiple-choice field, so `language=fr`
    and `language=fr&language=pa` (a shared URL) both work."""

    def value_from_datadict(self, data, files, name):
        return [value for value in data.getlist(name) if value] if hasattr(data, "getlist") else []


class CatalogueChoices(forms.models.ModelChoiceIterator):
    """A reference model's choices from this process's copy (`therapists.catalogue`),
    not from a query each time a form lists them."""

    def rows(self) -> list:
        return catalogue.current().all(self.queryset.model)

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.rows():
            yield self.choice(row)

    def __len__(self):
        return len(self.rows()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.rows())


class FromCatalogue:
    """A multiple choice of reference rows, listed and checked against `therapists.catalogue`:
    the cleaned value is the chosen rows in the list's order. The field's queryset names
    the model (every row of it)."""

    iterator = CatalogueChoices

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        try:
            wanted = list(dict.fromkeys(str(item) for item in value))
        except TypeError:
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        rows = catalogue.current().all(self.queryset.model)
        known = {str(getattr(row, key)) for row in rows}
        for item in wanted:
            self.validate_no_null_characters(item)
            if item not in known:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        chosen = set(wanted)
        return [row for row in rows if str(getattr(row, key)) in chosen]


class CatalogueChoiceField(FromCatalogue, forms.ModelMultipleChoiceField):
    pass


class CatalogueFilterField(FromCatalogue, django_filters.fields.ModelMultipleChoiceField):
    pass


class CatalogueFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CatalogueFilterField


IGNORED = gettext_lazy("We don't know the {kind} “{value}”, so it was left out of the search.")


def _ignored(kind: str) -> dict:
    return {
        "invalid_choice": format_lazy(IGNORED, kind=kind, value="%(value)s"),
        "invalid_pk_value": format_lazy(IGNORED, kind=kind, value="%(pk)s"),
    }


def _coordinate(label: str, limit: int) -> forms.FloatField:
    message = format_lazy(
        gettext_lazy("{name} must be a number from -{limit} to {limit}."), name=label, limit=limit
    )
    return forms.FloatField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        widget=forms.HiddenInput,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


def clean_query(data: QueryDict) -> tuple[QueryDict, list[str]]:
    """A copy of the query without blank values, NUL characters or overlong values.

    PostgreSQL rejects NUL in text, and nothing a patient types needs more than
    200 characters. Returns the copy and messages about what was changed.
    """
    cleaned = QueryDict(mutable=True)
    messages = []
    for key, values in data.lists():
        key = key.replace("\x00", "")[:MAX_PARAMETER_LENGTH]
        kept = []
        for value in values:
            value = value.replace("\x00", "")
            if len(value) > MAX_PARAMETER_LENGTH:
                value = value[:MAX_PARAMETER_LENGTH]
                messages.append(
                    gettext("Your %(name)s was shortened to %(length)s characters.")
                    % {"name": key, "length": MAX_PARAMETER_LENGTH}
                )
            if value.strip():  # a blank "Any kind" option means no filter
                kept.append(value)
        if kept:
            cleaned.setlist(key, kept)
    return cleaned, messages


@dataclass
class Chip:
    """An active filter, with the URL of the same search without it."""

    label: str
    remove_url: str


# Every filter a patient can switch on, in chip order. Chips and "clear every
# filter" both come from this list, so a new filter is declared here once.
# Place, radius and order are not filters: they stay when filters are cleared.
FILTERS = (
    "discipline",
    "area",
    "specialty",
    "language",
    "gender",
    "tag",
    "max_price",
    "new_patients",
    "virtual",
    "direct_billing",
    "insurer",
    "accessible",
    "open_now",
    "evenings",
    "weekends",
    "available",
    "q",
)
MAX_PRICE_LIMIT = 10_000  # CAD; no visit costs more


class WhereForm(forms.Form):
    """Where to search and how to order: the fields that choose each therapist's
    location rather than which therapists match. `find_therapists` applies them."""

    where = forms.CharField(label=gettext_lazy("City or postal code"), required=False)
    lat = _coordinate(gettext_lazy("Latitude"), 90)
    lng = _coordinate(gettext_lazy("Longitude"), 180)
    direct_billing = forms.BooleanField(
        label=gettext_lazy("Bills my insurer directly"), required=False, widget=FlagInput()
    )
    insurer = CatalogueChoiceField(
        queryset=Payer.objects.all(),
        to_field_name="slug",
        label=gettext_lazy("Insurer or programme"),
        required=False,
        widget=SelectOne(),
        error_messages=_ignored(gettext_lazy("insurer or programme")),
    )
    accessible = forms.BooleanField(
        label=gettext_lazy("Wheelchair accessible"), required=False, widget=FlagInput()
    )
    open_now = forms.BooleanField(label=gettext_lazy("Open now"), required=False, widget=FlagInput())
    evenings = forms.BooleanField(
        label=gettext_lazy("Open evenings (after 6 pm on a weekday)"), required=False, widget=FlagInput()
    )
    weekends = forms.BooleanField(label=gettext_lazy("Open weekends"), required=False, widget=FlagInput())
    available = forms.BooleanField(
        label=gettext_lazy("Bookable online in the next 7 days"), required=False, widget=DaysFlagInput(7)
    )
    radius = forms.FloatField(
        label=gettext_lazy("Within"),
        required=False,
        widget=forms.Select(choices=[(km, f"{km} km") for km in RADIUS_CHOICES_KM]),
        error_messages={
            "invalid": format_lazy(
                gettext_lazy("The distance must be a number of km; showing {km} km."), km=DEFAULT_RADIUS_KM
            )
        },
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("distance", gettext_lazy("Distance")),
            ("soonest", gettext_lazy("Soonest available")),
            ("name", gettext_lazy("Name")),
        ],
        error_messages={
            "invalid_choice": gettext_lazy(
                "Results can be sorted by distance, soonest available or name only."
            )
        },
    )


class TherapistFilter(django_filters.FilterSet):
    """The search form: the therapist-level filters (each narrows `qs`) on top of `WhereForm`."""

    discipline = CatalogueFilter(
        queryset=Discipline.objects.all(),
        to_field_name="slug",
        method="filter_disciplines",
        label=gettext_lazy("Kind of therapist"),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_ignored(gettext_lazy("kind of therapist")),
    )
    area = CatalogueFilter(
        queryset=BodyArea.objects.all(),
        to_field_name="slug",
        method="filter_areas",
        label=gettext_lazy("What hurts"),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_ignored(gettext_lazy("body area")),
    )
    specialty = CatalogueFilter(
        queryset=Specialty.objects.all(),
        to_field_name="slug",
        method="filter_specialties",
        label=gettext_lazy("Areas of focus"),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_ignored(gettext_lazy("area of focus")),
    )
    language = CatalogueFilter(
        queryset=Language.objects.all(),
        to_field_name="code",
        method="filter_languages",
        label=gettext_lazy("Language"),
        widget=SelectOne(choices=[("", gettext_lazy("Any language"))]),
        error_messages=_ignored(gettext_lazy("language")),
    )
    gender = django_filters.MultipleChoiceFilter(
        choices=Gender.choices,
        method="filter_gender",
        label=gettext_lazy("Therapist's gender"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": format_lazy(IGNORED, kind=gettext_lazy("gender"), value="%(value)s")
        },
    )
    tag = CatalogueFilter(
        queryset=Tag.objects.all(),
        to_field_name="slug",
        method="filter_tags",
        label=gettext_lazy("Declared by the clinic"),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_ignored(gettext_lazy("tag")),
    )
    max_price = django_filters.NumberFilter(
        method="filter_max_price",
        label=gettext_lazy("Price up to ($)"),
        min_value=1,
        max_value=MAX_PRICE_LIMIT,
        error_messages={
            "invalid": gettext_lazy("The price must be a number of dollars, e.g. 120."),
            "min_value": gettext_lazy("The price must be a number of dollars, e.g. 120."),
            "max_value": gettext_lazy("The price must be a number of dollars, e.g. 120."),
            "max_digits": gettext_lazy("The price must be a number of dollars, e.g. 120."),
            "max_decimal_places": gettext_lazy("The price must be a number of dollars, e.g. 120."),
            "max_whole_digits": gettext_lazy("The price must be a number of dollars, e.g. 120."),
        },
    )
    q = django_filters.CharFilter(method="filter_text", label=gettext_lazy("Name, clinic or area of focus"))
    new_patients = django_filters.BooleanFilter(
        method="filter_new_patients", label=gettext_lazy("Accepting new patients"), widget=FlagInput()
    )
    virtual = django_filters.BooleanFilter(
        method="filter_virtual", label=gettext_lazy("Offers virtual care"), widget=FlagInput()
    )

    class Meta:
        model = Therapist
        fields: list[str] = []
        form = WhereForm

    def __init__(self, data=None, queryset=None, **kwargs):
        self.notices: list[str] = []
        if data is not None:
            data, self.notices = clean_query(data)
        super().__init__(
            data, queryset=Therapist.objects.findable() if queryset is None else queryset, **kwargs
        )

    def filter_queryset(self, queryset):
        """Only the declared filters narrow `qs`; `WhereForm`'s fields are the search's."""
        data = self.form.cleaned_data
        for name, declared in self.filters.items():
            if name in data:
                queryset = declared.filter(queryset, data[name])
        return queryset

    # An empty multiple choice arrives as an empty QuerySet, which django-filter
    # does not treat as "no value", hence the `if value` in each.

    def filter_disciplines(self, queryset, name, value):
        return queryset.in_disciplines(value) if value else queryset

    def filter_areas(self, queryset, name, value):
        return queryset.treating(value) if value else queryset

    def filter_specialties(self, queryset, name, value):
        return queryset.with_specialties(value) if value else queryset

    def filter_languages(self, queryset, name, value):
        return queryset.speaking(value) if value else queryset

    def filter_gender(self, queryset, name, value):
        return queryset.of_gender(value) if value else queryset

    def filter_tags(self, queryset, name, value):
        return queryset.tagged(value) if value else queryset

    def filter_max_price(self, queryset, name, value):
        return queryset.priced_up_to(value) if value else queryset

    def filter_text(self, queryset, name, value):
        return queryset.matching(value) if value else queryset

    def filter_new_patients(self, queryset, name, value):
        return queryset.accepting_new_patients() if value else queryset

    def filter_virtual(self, queryset, name, value):
        return queryset.offering_virtual_care() if value else queryset

    def value(self, name):
        """The cleaned value of one field (None when unbound or invalid)."""
        if not self.is_bound:
            return None
        self.errors  # validates the form  # noqa: B018
        return self.form.cleaned_data.get(name)

    def given(self, name: str) -> bool:
        """True when the query has a non-blank value for `name`, valid or not."""
        return bool(self.is_bound and self.data.get(name, "").strip())

    def error_messages(self) -> list[str]:
        if not self.is_bound:
            return []
        return [message for errors in self.form.errors.values() for message in errors]

    def chips(self) -> list[Chip]:
        """The active filters, each with a link that removes it."""
        if not self.is_bound:
            return []
        self.errors  # noqa: B018
        return [chip for name in FILTERS for chip in self._chips_for(name)]

    def clear_filters_url(self) -> str:
        """The same search (place, radius, order) with every filter removed."""
        return self._url_without(*FILTERS)

    def _url_without(self, *names: str, value: str | None = None) -> str:
        pairs = [
            (key, item)
            for key, items in self.data.lists()
            if key != "page"
            for item in items
            if not (key in names and (value is None or item == value))
        ]
        return "?" + urlencode(pairs)

    def _chips_for(self, name: str) -> list[Chip]:
        value = self.form.cleaned_data.get(name)
        if not value:
            return []
        if name == "language":
            return [
                Chip(
                    gettext("Speaks %(language)s") % {"language": obj.name},
                    self._url_without(name, value=obj.code),
                )
                for obj in value
            ]
        if name == "insurer":
            return [
                Chip(
                    (
                        gettext("Bills %(payer)s directly")
                        if payer.kind == PayerKind.INSURER
                        else gettext("Accepts %(payer)s")
                    )
                    % {"payer": payer.name},
                    self._url_without(name, value=payer.slug),
                )
                for payer in value
            ]
        if name == "gender":
            return [
                Chip(
                    gettext("Gender: %(gender)s") % {"gender": Gender(item).label},
                    self._url_without(name, value=item),
                )
                for item in value
            ]
        if name == "max_price":
            return [Chip(gettext("Up to %(price)s") % {"price": money(value)}, self._url_without(name))]
        if name == "q":
            return [Chip(gettext("Matching “%(text)s”") % {"text": value}, self._url_without(name))]
        if isinstance(value, bool):
            return [Chip(str(self.form.fields[name].label), self._url_without(name))]
        return [Chip(str(obj), self._url_without(name, value=obj.slug)) for obj in value]
