"""The public, read-only JSON API under /api/v1/, for apps, clinic websites and other directories.

`GET /api/v1/search` calls `find_therapists`, the function behind `/search/`, with
the same query parameters, so it lists the same therapists in the same order.
Built on django-ninja: pydantic schemas (therapists.api_schemas) give the answers
their shape and the OpenAPI 3.1 schema at /api/v1/openapi.json, and Swagger UI at
/api/docs is served from our own static files.

Every answer is public data: read-only CORS from any origin (django-cors-headers,
see settings), a short `Cache-Control` max-age with an `ETag`, a per-address rate
limit (API_RATE_LIMIT) counted in the shared cache, and errors as RFC 9457
problem details, never an HTML page.
"""

from __future__ import annotations

import functools
import logging
from http import HTTPStatus
from typing import Annotated, Literal

from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import re_path
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from redis.exceptions import RedisError

from finder.proxy import client_network
from therapists import gazetteer
from therapists.api_schemas import (
    BodyAreaOut,
    ClinicOut,
    DisciplineOut,
    LanguageOut,
    PlaceOut,
    Problem,
    SearchOut,
    SpecialtyOut,
    TherapistOut,
)
from therapists.models import (
    BodyArea,
    Clinic,
    Discipline,
    Language,
    Location,
    Specialty,
    Therapist,
)
from therapists.search import Search, find_therapists

logger = logging.getLogger(__name__)

# Seconds browsers and caches in front may reuse an answer: listings change a few
# times a day, and a minute keeps a busy page or app from asking again per view.
CACHE_SECONDS = 60
PLACES_LIMIT = 8  # places a type-ahead lists


class PublicAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Ninja's schema, with the errors declared as application/problem+json and 429's Retry-After."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation["responses"].items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {"application/problem+json": content["application/json"]}
                    if int(status) == 429:
                        response["headers"] = {
                            "Retry-After": {
                                "description": "Seconds until this address may ask again.",
                                "schema": {"type": "integer"},
                            }
                        }
        return schema


api = PublicAPI(
    title="Therapist Finder API",
    version="1",
    description=(
        "Read-only access to the directory of Canadian massage therapists, physiotherapists and "
        "chiropractors: the same search as the site's search page, profiles, clinics, places for "
        "type-ahead and the reference lists. No key needed; each address may make a limited "
        "number of requests a minute. Errors are RFC 9457 problem details."
    ),
    openapi_url="/v1/openapi.json",
    docs_url="/docs",
    # Swagger UI's stylesheet draws its icons from data: URIs; nothing else is relaxed.
    docs_decorator=csp_update({"img-src": [SELF, "data:"]}),
    urls_namespace="api",
)
v1 = Router()
ERRORS = {400: Problem, 404: Problem, 429: Problem}


def problem(status: int, detail: str, **members) -> JsonResponse:
    """An RFC 9457 problem details answer."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return JsonResponse({**body, **members}, status=status, content_type="application/problem+json")


@api.exception_handler(ValidationError)
def refused_parameters(request, exc: ValidationError):
    """A 400 naming each parameter Ninja could not read, with pydantic's first reason
    (a value that fits no branch of "a number or blank" fails each; the first says why)."""
    reasons: dict[str, str] = {}
    for error in exc.errors:
        # ("query", "q"), or ("query", "params", "lat", "constrained-float") for a
        # parameter of the search's `params` schema.
        location = [str(part) for part in error.get("loc", ())][1:] or [""]
        if len(location) > 1 and location[0] == "params":
            location = location[1:]
        reasons.setdefault(location[0], error.get("msg", ""))
    errors = [{"name": name, "message": message} for name, message in reasons.items()]
    return problem(400, gettext("Some parameters could not be read."), errors=errors)


@api.exception_handler(Http404)
def not_found_error(request, exc):
    return problem(404, gettext("There is nothing here."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return problem(exc.status_code, str(exc))


@api.exception_handler(Exception)
def server_error(request, exc):
    logger.exception("API request failed")
    return problem(500, gettext("Something went wrong on our side."))


def _seconds_until_allowed(request) -> int | None:
    """Counts the request against API_RATE_LIMIT for its client address; the seconds
    until the address may ask again when it has asked too often, else None.

    When the cache that counts (Redis) is down, the request is answered.
    """
    try:
        usage = get_usage(
            request,
            group="therapists.api",
            key=client_network,
            rate=lambda group, request: settings.API_RATE_LIMIT,
            increment=True,
        )
    except (RedisError, OSError):
        logger.warning("API rate limit unavailable: the cache did not answer")
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])


def public(view):
    """What every URL of the API does around its view: the rate limit, HEAD answered
    as GET, problem details for what Ninja or Django would answer in HTML or plain
    text (404, 405), and a short-lived public cache with an ETag on success."""

    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        retry_after = _seconds_until_allowed(request)
        if retry_after is not None:
            response = problem(
                429,
                gettext("Too many requests from your address; please wait %(seconds)d seconds.")
                % {"seconds": retry_after},
            )
            response["Retry-After"] = str(retry_after)
            return response
        head = request.method == "HEAD"
        if head:
            request.method = "GET"  # the server leaves the body out
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = problem(404, gettext("There is nothing here."))
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code == 405:
            response = problem(405, gettext("This API only reads: use GET."))
            response["Allow"] = "GET, HEAD"
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
            set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response) or response
        return response

    return answer


@csrf_exempt
def not_found(request, *args, **kwargs):
    raise Http404


class SearchParameters(Schema):
    """The parameters of `/search/`. Blank values mean "no filter", as the page's form sends them."""

    where: str | None = Field(None, description="A city (Winnipeg, London, ON), an FSA (R3C) or postal code.")
    lat: Annotated[float, Field(ge=-90, le=90)] | Literal[""] | None = Field(
        None, description="Degrees, with lng, instead of where."
    )
    lng: Annotated[float, Field(ge=-180, le=180)] | Literal[""] | None = Field(None, description="Degrees.")
    discipline: list[str] = Field([], description="Discipline slugs (any of them): massage, physiotherapy...")
    specialty: list[str] = Field([], description="Specialty slugs (any of them), e.g. sports-injuries.")
    area: list[str] = Field([], description="Body area slugs (any of them): back, neck...")
    language: list[str] = Field([], description="Language codes (any of them), e.g. fr.")
    q: str | None = Field(None, description="Words in a therapist, clinic or specialty name.")
    new_patients: bool | Literal[""] | None = Field(None, description="Accepting new patients.")
    virtual: bool | Literal[""] | None = Field(None, description="Offers virtual care.")
    direct_billing: bool | Literal[""] | None = Field(
        None, description="Bills at least one insurer directly."
    )
    insurer: list[str] = Field(
        [], description="Payer slugs (any of them): an insurer billed directly or a programme accepted."
    )
    gender: list[Literal["woman", "man", "non-binary"]] = Field(
        [], description="The therapist's gender (any of them)."
    )
    tag: list[str] = Field(
        [], description="Tag slugs declared by the clinic (any of them), e.g. trauma-informed."
    )
    max_price: Annotated[float, Field(ge=1, le=10000)] | Literal[""] | None = Field(
        None, description="CAD: a fee of at most this much."
    )
    accessible: bool | Literal[""] | None = Field(None, description="Wheelchair accessible.")
    open_now: bool | Literal[""] | None = Field(None, description="Open now, on the location's own clock.")
    evenings: bool | Literal[""] | None = Field(None, description="Open after 6 pm on some weekday.")
    weekends: bool | Literal[""] | None = Field(None, description="Open on Saturday or Sunday.")
    available: bool | Literal["7", ""] | None = Field(
        None, description="A free online booking slot in the next 7 days."
    )
    radius: float | Literal[""] | None = Field(None, description="km, brought into 1 to 500; default 25.")
    sort: Literal["distance", "soonest", "name", ""] | None = Field(
        None,
        description="distance (default), soonest (earliest free online slot; distance breaks ties), name.",
    )
    page: int | Literal[""] | None = Field(None, description="20 a page; up to page 50.")


@v1.get(
    "/search",
    tags=["Search"],
    response={200: SearchOut, **ERRORS},
    summary="Search therapists, nearest first",
)
def search(request, params: Query[SearchParameters]):
    """Exactly `/search/`: the same parameters, the same therapists in the same order.

    With `where` (or `lat` and `lng`) the nearest come first; when fewer than a page
    match within `radius`, the nearest beyond it follow, marked `beyond_radius`. An
    ambiguous or unknown place returns the page's alternatives and suggestions in
    `place_match`. Values the page can read but adjusts (a radius out of range, a
    page past the last) are adjusted with a notice in `messages`; values it cannot
    read (an unknown discipline, a latitude of 100) are refused with a 400.
    """
    found = find_therapists(request.GET, request.GET.get("page"))
    if found.form.errors:
        errors = [
            {"name": name, "message": str(message)}
            for name, messages in found.form.errors.items()
            for message in messages
        ]
        return problem(400, gettext("Some parameters could not be read."), errors=errors)
    return search_answer(found)


def search_answer(found: Search) -> dict:
    """The answer's fields from the search, in SearchOut's shape."""
    origin, origin_out = found.origin, None
    if origin is not None:
        place = origin.place  # None for coordinates
        origin_out = {
            "name": origin.label,
            "province": place.province if place else None,
            "kind": place.kind if place else "coordinates",
            "latitude": origin.point.latitude,
            "longitude": origin.point.longitude,
        }
    return {
        "origin": origin_out,
        "place_match": found.place_match,
        "radius_km": found.radius_km,
        "count": found.count,
        "count_is_capped": found.count_is_capped,
        "page": found.page,
        "messages": [str(message) for message in found.messages],
        "results": found.results,
    }


@v1.get(
    "/therapists/{slug}",
    tags=["Listings"],
    response={200: TherapistOut, **ERRORS},
    summary="A therapist's profile",
)
def therapist(request, slug: str):
    """A published therapist, with their locations and opening hours. Unpublished ones are 404."""
    return get_object_or_404(Therapist.objects.published().with_profile(), slug=slug)


@v1.get("/clinics/{slug}", tags=["Listings"], response={200: ClinicOut, **ERRORS}, summary="A clinic")
def clinic(request, slug: str):
    """A clinic, its locations with opening hours, and its published therapists by name."""
    clinic = get_object_or_404(
        Clinic.objects.prefetch_related(
            "payers",
            "fees",
            "photos",
            Prefetch("locations", queryset=Location.objects.prefetch_related("opening_hours")),
            Prefetch(
                "locations__therapists",
                queryset=Therapist.objects.published().select_related("discipline"),
                to_attr="published_therapists",
            ),
        ),
        slug=slug,
    )
    clinic.therapists = sorted(
        {t for location in clinic.locations.all() for t in location.published_therapists},
        key=lambda t: (t.last_name, t.first_name, t.pk),
    )
    return clinic


@v1.get(
    "/places", tags=["Places"], response={200: list[PlaceOut], **ERRORS}, summary="Places for a type-ahead"
)
def places(request, q: Annotated[str, Field(min_length=1, max_length=gazetteer.MAX_QUERY_LENGTH)]):
    """The best few cities and postal-code areas whose names start with `q`, biggest first."""
    return gazetteer.starting_with(q, PLACES_LIMIT)


@v1.get(
    "/disciplines",
    tags=["Reference lists"],
    response={200: list[DisciplineOut], **ERRORS},
    summary="Disciplines",
)
def disciplines(request):
    """The `discipline` values of a search."""
    return Discipline.objects.all()


@v1.get(
    "/specialties",
    tags=["Reference lists"],
    response={200: list[SpecialtyOut], **ERRORS},
    summary="Specialties",
)
def specialties(request):
    """The `specialty` values of a search, with the body areas each helps."""
    return Specialty.objects.prefetch_related("body_areas")


@v1.get(
    "/body-areas", tags=["Reference lists"], response={200: list[BodyAreaOut], **ERRORS}, summary="Body areas"
)
def body_areas(request):
    """The `area` values of a search ("what hurts"), in the page's order."""
    return BodyArea.objects.all()


@v1.get(
    "/languages", tags=["Reference lists"], response={200: list[LanguageOut], **ERRORS}, summary="Languages"
)
def languages(request):
    """The `language` values of a search."""
    return Language.objects.all()


api.add_router("/v1/", v1)


def _urls():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = public(pattern.callback)
    return [*patterns, re_path(r"^", public(not_found))], app_name, namespace


urls = _urls()
