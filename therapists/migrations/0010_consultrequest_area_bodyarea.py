"""Where it hurts comes from the body areas the search uses (one list): a request's
`area` becomes a link to a BodyArea, empty meaning "somewhere else"."""

import django.db.models.deletion
from django.db import migrations, models


def link_areas(apps, schema_editor):
    BodyArea = apps.get_model("therapists", "BodyArea")
    ConsultRequest = apps.get_model("therapists", "ConsultRequest")
    for area in BodyArea.objects.all():
        ConsultRequest.objects.filter(area=area.slug).update(body_area=area)


def unlink_areas(apps, schema_editor):
    ConsultRequest = apps.get_model("therapists", "ConsultRequest")
    for consult in ConsultRequest.objects.select_related("body_area"):
        consult.area = consult.body_area.slug[:10] if consult.body_area else "other"
        consult.save(update_fields=["area"])


class Migration(migrations.Migration):
    dependencies = [
        ("therapists", "0009_consultrequest_location"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultrequest",
            name="body_area",
            field=models.ForeignKey(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="therapists.bodyarea",
            ),
        ),
        migrations.RunPython(link_areas, unlink_areas),
        migrations.RemoveField(model_name="consultrequest", name="area"),
        migrations.RenameField(model_name="consultrequest", old_name="body_area", new_name="area"),
        migrations.AlterField(
            model_name="consultrequest",
            name="area",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when the patient chose “Somewhere else”.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consult_requests",
                to="therapists.bodyarea",
                verbose_name="where it hurts",
            ),
        ),
    ]
