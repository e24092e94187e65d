"""Generated input at the public pages: never a 500, and a valid consult request is never lost.

Hypothesis generates query strings (any bytes: NUL, invalid UTF-8, encoded
surrogates, huge values, repeated keys), slugs and form data. In CI it runs the
same examples every time (Hypothesis' CI profile), so a failure can be replayed.
"""

import itertools
import time
from urllib.parse import quote_from_bytes

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from therapists.forms import ConsultRequestForm, started_token
from therapists.models import ConsultRequest, MeetingMode
from therapists.reference import BODY_AREAS
from therapists.tests.factories import WINNIPEG, make_clinic, make_location, make_place, make_therapist
from therapists.views import SENT_SALT

pytestmark = pytest.mark.django_db

fuzz = hypothesis_settings(
    max_examples=75,
    deadline=None,  # a slow first query is not a bug
    database=None,  # no example files left in the checkout
    # The database and client are set up once per test, not per example, on purpose:
    # rows and rate-limit counts from earlier examples are part of the input.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SEARCH_KEYS = [
    "where",
    "lat",
    "lng",
    "discipline",
    "specialty",
    "area",
    "language",
    "new_patients",
    "virtual",
    "direct_billing",
    "insurer",
    "gender",
    "max_price",
    "accessible",
    "q",
    "radius",
    "sort",
    "page",
]
TRICKY_VALUES = [
    "",
    "Winnipeg",
    "London, ON",
    "R3C 4T3",
    "r3c",
    "49.8844",
    "-97.147",
    "90.0000001",
    "-180.5",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-0",
    "0",
    "1",
    "99999999999999999999999",
    "massage",
    "back",
    "fr",
    "distance",
    "name",
    "%",
    "' OR 1=1 --",
    "\x00",
    "Montréal",
]

# Any text, lone surrogates included, as the UTF-8 bytes a client could send.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60).map(
    lambda text: text.encode("utf-8", "surrogatepass")
)
query_values = st.one_of(
    st.sampled_from(TRICKY_VALUES).map(str.encode),
    any_text,
    st.binary(max_size=40),
    st.integers(min_value=1_000, max_value=20_000).map(lambda n: b"9" * n),  # huge
    st.integers(min_value=1_000, max_value=20_000).map(lambda n: b"R3C " * (n // 4)),
)
query_keys = st.one_of(st.sampled_from(SEARCH_KEYS).map(str.encode), any_text)
query_strings = st.lists(st.tuples(query_keys, query_values), max_size=12).map(
    lambda pairs: "&".join(f"{quote_from_bytes(key)}={quote_from_bytes(value)}" for key, value in pairs)
)


@pytest.fixture
def listed():
    """A place and a therapist, so that generated searches can find something."""
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    clinic = make_clinic("Forks Physio", slug="forks-physio", email="desk@forks.example")
    return make_therapist(
        first_name="Dana", last_name="Reyes", slug="dana-reyes", locations=[make_location(clinic)]
    )


def test_generated_query_strings_never_break_the_search(client, listed):
    @fuzz
    @given(query=query_strings)
    def search(query):
        response = client.get(f"/search/?{query}")

        assert response.status_code < 500

    search()


def test_generated_slugs_never_break_the_profile_and_consult_pages(client, listed):
    slugs = st.one_of(st.just(listed.slug), st.just("forks-physio"), any_text.filter(bool))
    prefixes = st.sampled_from(["/therapists/", "/clinics/"])
    suffixes = st.sampled_from(["", "consult/"])

    @fuzz
    @given(prefix=prefixes, slug=slugs, suffix=suffixes)
    def profile(prefix, slug, suffix):
        slug = slug if isinstance(slug, str) else quote_from_bytes(slug, safe="")
        response = client.get(f"{prefix}{slug}/{suffix}")

        assert response.status_code < 500

    profile()


CONSULT_FIELDS = [
    "name",
    "email",
    "phone",
    "area",
    "meeting",
    "preferred_times",
    "message",
    "consent",
    "marketing",
    "website",
    "started",
]
# Anything a browser could post: any character but lone surrogates, which no
# encoder turns into form data.
postable_text = st.text(st.characters(codec="utf-8"), max_size=300)
form_values = st.one_of(
    postable_text,
    st.sampled_from(["yes", "back", "phone", "video", "(204) 555-0199", "sam@example.com", "\x00"]),
    st.builds(lambda: started_token(time.time() - 60)),
    st.lists(postable_text, min_size=2, max_size=3),  # a repeated field
)
form_data = st.dictionaries(
    st.one_of(st.sampled_from(CONSULT_FIELDS), postable_text), form_values, max_size=len(CONSULT_FIELDS) + 3
)


@pytest.fixture
def no_rate_limit(settings):
    """The rate limit has its own tests; here it would stop the form being reached."""
    settings.CONSULT_RATE_LIMIT = "1000000/h"
    cache.clear()
    yield
    cache.clear()


def test_generated_form_data_never_breaks_the_consult_form(client, listed, no_rate_limit):
    urls = st.sampled_from(
        [
            reverse("therapists:therapist-consult", args=[listed.slug]),
            reverse("therapists:clinic-consult", args=["forks-physio"]),
        ]
    )

    @fuzz
    @given(url=urls, data=form_data)
    def consult(url, data):
        response = client.post(url, data)

        assert response.status_code < 500

    consult()


# Valid requests, as varied as people type them.
names = st.lists(
    st.text(st.characters(categories=["L"]), min_size=1, max_size=15), min_size=1, max_size=3
).map(" ".join)
emails = st.builds(
    "{}{}@{}.{}".format,
    st.from_regex(r"[A-Za-z0-9]{1,20}", fullmatch=True),
    st.sampled_from(["", ".patient", "+clinic", "_x"]),
    st.from_regex(r"[a-z]{1,15}(-[a-z]{1,5})?", fullmatch=True),
    st.sampled_from(["ca", "com", "org", "net"]),
)
AREA_CODES = ["204", "431", "416", "647", "604", "778", "780", "514", "403", "613", "902", "306"]
phones = st.builds(
    lambda area, exchange, line, style: style.format(area=area, exchange=exchange, line=line),
    st.sampled_from(AREA_CODES),
    st.integers(200, 999),
    st.integers(0, 9999).map("{:04d}".format),
    st.sampled_from(
        [
            "({area}) {exchange}-{line}",
            "{area}-{exchange}-{line}",
            "+1 {area} {exchange} {line}",
            "{area}{exchange}{line}",
        ]
    ),
)
valid_requests = st.fixed_dictionaries(
    {
        "name": names,
        "email": emails,
        "phone": phones,
        "area": st.sampled_from([*BODY_AREAS, "other"]),
        "meeting": st.sampled_from(MeetingMode.values),
        "preferred_times": st.text(
            st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=200
        ),
        "message": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=1000),
        "consent": st.just("yes"),
    },
    optional={"marketing": st.just("yes")},
)


def test_a_valid_consult_request_is_always_saved(client, listed, no_rate_limit):
    url = reverse("therapists:therapist-consult", args=[listed.slug])
    # A fresh address each time: the same person asking again within minutes is
    # folded into their first request on purpose (tested in test_leads.py).
    serial = itertools.count()

    @fuzz
    @given(data=valid_requests)
    def consult(data):
        data = {
            **data,
            "email": f"{next(serial)}.{data['email']}",
            "started": started_token(time.time() - 60),
            "location": str(listed.locations.get().pk),
        }
        form = ConsultRequestForm(data, consent_label="", marketing_label="")
        if not form.is_valid():  # the generators aim at valid input; the rare miss proves nothing
            return

        response = client.post(url, data)

        assert response.status_code == 302, response.content[:500]
        sent = signing.loads(response.url.split("ref=", 1)[1], salt=SENT_SALT)
        saved = ConsultRequest.objects.get(reference=sent["ref"])
        assert {field: getattr(saved, field) for field in form.details()} == form.details()
        assert (saved.therapist, saved.marketing_consent) == (listed, "marketing" in data)

    consult()


def test_the_valid_request_generators_really_produce_valid_requests():
    """Guards the test above: if the generators drifted into invalid data it would test nothing."""
    results = []

    @hypothesis_settings(max_examples=50, deadline=None, database=None)
    @given(data=valid_requests)
    def check(data):
        form = ConsultRequestForm(
            {**data, "started": started_token(time.time() - 60)}, consent_label="", marketing_label=""
        )
        results.append(form.is_valid())

    check()

    assert sum(results) >= 0.9 * len(results)
