"""The first visit follows the browser's language; a choice made with the switcher sticks.

English pages live at the plain paths and French ones under /fr/ (i18n_patterns with
prefix_default_language=False), so Django's LocaleMiddleware always reads a plain path
as English. This middleware, after it, sends a visitor whose language cookie says French,
or who has no cookie and whose browser prefers French (Accept-Language), from a plain
path to the same page under /fr/. The switcher (set_language) sets the cookie, so a
francophone who picks English stays in English. Crawlers send neither and get English;
the pages' hreflang links tell them about the French ones.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, translate_url
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path, get_language_from_request

# Only the patients' pages (i18n_patterns in finder/urls.py) have a French version.
LOCALIZED_NAMESPACE = "therapists"


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        localized = request.method in ("GET", "HEAD") and self._is_localized(request.path_info)
        if localized:
            preferred = get_language_from_request(request, check_path=False)
            if preferred != settings.LANGUAGE_CODE:
                target = translate_url(request.get_full_path(), preferred)
                if target != request.get_full_path():
                    response = HttpResponseRedirect(target)
                    patch_vary_headers(response, ("Accept-Language", "Cookie"))
                    return response
        response = self.get_response(request)
        if localized:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    @staticmethod
    def _is_localized(path: str) -> bool:
        """A plain (English) path of a page that exists in every language."""
        if get_language_from_path(path):
            return False
        try:
            return resolve(path).namespace == LOCALIZED_NAMESPACE
        except Resolver404:
            return False
