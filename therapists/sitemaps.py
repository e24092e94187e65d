"""sitemap.xml: every public page in English and French, with hreflang alternates
(and x-default, the English page). robots.txt points here."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from therapists import guides, landing
from therapists.models import Clinic, Therapist


class _Bilingual(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(_Bilingual):
    priority = 0.6

    def items(self):
        return ["therapists:home", "therapists:guide-list", "therapists:privacy"]

    def location(self, item):
        return reverse(item)


class GuideSitemap(_Bilingual):
    priority = 0.7

    def items(self):
        return guides.GUIDES


class LandingSitemap(_Bilingual):
    priority = 0.8

    def items(self):
        return landing.every_landing()


class TherapistSitemap(_Bilingual):
    def items(self):
        return Therapist.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, therapist):
        return therapist.updated_at


class ClinicSitemap(_Bilingual):
    def items(self):
        return (
            Clinic.objects.filter(locations__therapists__is_published=True)
            .distinct()
            .only("slug")
            .order_by("pk")
        )


SITEMAPS = {
    "pages": PageSitemap,
    "guides": GuideSitemap,
    "landing": LandingSitemap,
    "therapists": TherapistSitemap,
    "clinics": ClinicSitemap,
}
