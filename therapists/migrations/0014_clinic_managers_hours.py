"""Clinic managers keep their locations' closures and special hours and their
therapists' own working hours. Which rows they see is decided in
therapists.admin (ClinicScopedAdmin and the inlines)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Clinic managers"
CODENAMES = [
    f"{action}_{model}"
    for model in ("closure", "specialhours", "therapisthours")
    for action in ("view", "add", "change", "delete")
]


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
        ("therapists", "0013_location_hours"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
