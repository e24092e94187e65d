from django.db import migrations
from django.utils.text import slugify

from therapists.reference import BODY_AREAS, DISCIPLINES, LANGUAGES, SPECIALTIES


def load_reference_data(apps, schema_editor):
    Discipline = apps.get_model("therapists", "Discipline")
    BodyArea = apps.get_model("therapists", "BodyArea")
    Specialty = apps.get_model("therapists", "Specialty")
    Language = apps.get_model("therapists", "Language")

    for slug, name, title, abbreviation, description in DISCIPLINES:
        Discipline.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "practitioner_title": title,
                "abbreviation": abbreviation,
                "description": description,
            },
        )
    areas = {}
    for position, slug in enumerate(BODY_AREAS):
        areas[slug], _ = BodyArea.objects.update_or_create(
            slug=slug, defaults={"name": slug.capitalize(), "position": position}
        )
    for name, area_slugs in SPECIALTIES.items():
        specialty, _ = Specialty.objects.update_or_create(slug=slugify(name), defaults={"name": name})
        specialty.body_areas.set([areas[slug] for slug in area_slugs])
    for code, name in LANGUAGES.items():
        Language.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("therapists", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
