"""Reference data and listing texts in English and French (django-modeltranslation).

Each field registered here gains `<field>_en` and `<field>_fr` columns; reading the field
gives the active language's value, or the English one when the French is empty
(MODELTRANSLATION_FALLBACK_LANGUAGES). The French names of the reference data are in
`reference.FRENCH` (the tags' in `reference.FRENCH_TAGS`) and are filled by the
migrations that add the columns.
"""

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname

from therapists.models import BodyArea, Clinic, Discipline, Language, Payer, Specialty, Tag, Therapist


@register(Discipline)
class DisciplineTranslation(TranslationOptions):
    fields = ("name", "practitioner_title", "description")


@register(BodyArea)
class BodyAreaTranslation(TranslationOptions):
    fields = ("name",)


@register(Specialty)
class SpecialtyTranslation(TranslationOptions):
    fields = ("name",)


@register(Language)
class LanguageTranslation(TranslationOptions):
    fields = ("name",)


@register(Payer)
class PayerTranslation(TranslationOptions):
    fields = ("name",)


@register(Tag)
class TagTranslation(TranslationOptions):
    fields = ("name",)


@register(Therapist)
class TherapistTranslation(TranslationOptions):
    fields = ("bio",)


@register(Clinic)
class ClinicTranslation(TranslationOptions):
    fields = ("description",)


def localized(path: str):
    """The active language's value of a translated field reached through a relation
    ("language__name"), or the English one when it has none: for queries on models
    modeltranslation does not rewrite (through tables, values() across relations)."""
    own = build_localized_fieldname(path, get_language() or "en")
    english = build_localized_fieldname(path, "en")
    return Coalesce(NullIf(F(own), Value("")), F(english), F(path), output_field=CharField())
