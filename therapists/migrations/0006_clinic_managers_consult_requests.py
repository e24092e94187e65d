"""Clinic managers work their clinics' consult requests: view, change the status and
notes, and delete them (for example on a patient's request). Which rows they see is
decided in therapists.admin.ClinicScopedAdmin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Clinic managers"
CODENAMES = ["view_consultrequest", "change_consultrequest", "delete_consultrequest"]


def grant(apps, schema_editor):
    db_alias = schema_editor.connection.alias
    app_config = apps.get_app_config("therapists")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db_alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db_alias).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.using(db_alias).filter(
            content_type__app_label="therapists", codename__in=CODENAMES
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME):
        group.permissions.remove(*Permission.objects.filter(codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("therapists", "0003_clinic_managers_group"),
        ("therapists", "0005_consultrequest"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
