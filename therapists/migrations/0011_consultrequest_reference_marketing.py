from django.db import migrations, models

import therapists.models


def give_references(apps, schema_editor):
    ConsultRequest = apps.get_model("therapists", "ConsultRequest")
    taken = set()
    for consult in ConsultRequest.objects.filter(reference__isnull=True):
        reference = therapists.models.new_reference()
        while reference in taken:
            reference = therapists.models.new_reference()
        taken.add(reference)
        ConsultRequest.objects.filter(pk=consult.pk).update(reference=reference)


class Migration(migrations.Migration):
    dependencies = [
        ("therapists", "0010_consultrequest_area_bodyarea"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultrequest",
            name="reference",
            field=models.CharField(max_length=9, null=True, editable=False),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="consultrequest",
            name="reference",
            field=models.CharField(
                default=therapists.models.new_reference,
                editable=False,
                help_text="What the patient is told to quote; random, never the id.",
                max_length=9,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="consultrequest",
            name="marketing_version",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="consultrequest",
            name="marketing_text",
            field=models.TextField(
                blank=True, help_text="The exact wording of the optional consent the patient ticked."
            ),
        ),
    ]
