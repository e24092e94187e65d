import django.db.models.deletion
from django.db import migrations, models


def fill_locations(apps, schema_editor):
    """Earlier requests for a therapist get the therapist's address at the clinic
    that received them (the first by id when there are several there)."""
    ConsultRequest = apps.get_model("therapists", "ConsultRequest")
    Location = apps.get_model("therapists", "Location")
    for consult in ConsultRequest.objects.filter(therapist__isnull=False, location__isnull=True):
        location = (
            Location.objects.filter(clinic_id=consult.clinic_id, therapists=consult.therapist_id)
            .order_by("pk")
            .first()
        )
        if location:
            ConsultRequest.objects.filter(pk=consult.pk).update(location=location)


class Migration(migrations.Migration):
    dependencies = [
        ("therapists", "0008_location_box_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultrequest",
            name="location",
            field=models.ForeignKey(
                blank=True,
                help_text="The address the patient chose to see the therapist at; empty for a request to the clinic.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="consult_requests",
                to="therapists.location",
            ),
        ),
        migrations.RunPython(fill_locations, migrations.RunPython.noop),
    ]
