"""Plain-language guides ("Muscle knot in your back: when to see a massage therapist or
physiotherapist"), written by us, each leading into a search for its body area.

A guide's text is a template per language (`templates/guides/<key>.<language>.html`):
whole paragraphs read better translated as a page than as sentences in the .po file.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy


@dataclass(frozen=True)
class Guide:
    key: str  # the body area it is about (the search's `area`)
    slugs: dict[str, str]  # language -> URL slug
    title: object
    description: object

    @property
    def slug(self) -> str:
        return self.slugs.get(get_language() or "en", self.slugs["en"])

    def get_absolute_url(self) -> str:
        return reverse("therapists:guide-detail", args=[self.slug])

    @property
    def template_name(self) -> str:
        language = "fr" if (get_language() or "en").startswith("fr") else "en"
        return f"guides/{self.key}.{language}.html"

    @property
    def search_url(self) -> str:
        return f"{reverse('therapists:search')}?area={self.key}"


GUIDES = [
    Guide(
        "back",
        {"en": "muscle-knot-in-your-back", "fr": "noeud-musculaire-dans-le-dos"},
        gettext_lazy("Muscle knot in your back: when to see a massage therapist or physiotherapist"),
        gettext_lazy(
            "What a knot in a back muscle is, what helps at home, and when a massage therapist "
            "or a physiotherapist is the better first visit."
        ),
    ),
    Guide(
        "neck",
        {"en": "stiff-neck", "fr": "cou-raide"},
        gettext_lazy("Stiff or sore neck: when to see a massage therapist, physiotherapist or chiropractor"),
        gettext_lazy(
            "Why a neck stiffens, what helps at home, the signs that need a doctor first, and "
            "which therapist to see."
        ),
    ),
    Guide(
        "shoulder",
        {"en": "sore-shoulder", "fr": "douleur-a-lepaule"},
        gettext_lazy("Sore shoulder: when to see a physiotherapist or a massage therapist"),
        gettext_lazy(
            "A sore or stiff shoulder: common causes, what helps at home and who to see "
            "when it does not settle."
        ),
    ),
    Guide(
        "knee",
        {"en": "knee-pain", "fr": "douleur-au-genou"},
        gettext_lazy("Knee pain: when to see a physiotherapist"),
        gettext_lazy(
            "Knee pain after sport, running or a long day: what helps at home and when to "
            "see a physiotherapist."
        ),
    ),
]
GUIDE_BY_SLUG = {slug: guide for guide in GUIDES for slug in guide.slugs.values()}


def get(slug: str) -> Guide:
    try:
        return GUIDE_BY_SLUG[slug]
    except KeyError:
        raise Http404("No such guide.") from None
