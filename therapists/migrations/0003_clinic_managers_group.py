"""The "Clinic managers" group: what a clinic's staff may do in the admin.

The group grants model permissions only; which rows a manager sees is decided by
Clinic.managers in therapists.admin.ClinicScopedAdmin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Clinic managers"

# (model, actions). Managers edit their own clinic but never create or delete one;
# they look up specialties and languages (autocomplete) but never edit them.
PERMISSIONS = [
    ("clinic", ("view", "change")),
    ("location", ("view", "add", "change", "delete")),
    ("openinghours", ("view", "add", "change", "delete")),
    ("therapist", ("view", "add", "change", "delete")),
    ("specialty", ("view",)),
    ("language", ("view",)),
]


def create_group(apps, schema_editor):
    db_alias = schema_editor.connection.alias
    # Permissions are normally created after `migrate` finishes (post_migrate), so
    # on a fresh database they do not exist yet: create them now.
    app_config = apps.get_app_config("therapists")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db_alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS for action in actions]
    permissions = Permission.objects.using(db_alias).filter(
        content_type__app_label="therapists", codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions missing for the clinic managers group: {sorted(missing)}")
    group, _ = Group.objects.using(db_alias).get_or_create(name=GROUP_NAME)
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("therapists", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
