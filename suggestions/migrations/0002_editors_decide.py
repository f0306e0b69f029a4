from django.contrib.auth.management import create_permissions
from django.db import migrations

# Editors decide on readers' suggestions and read them and the log in the admin; Moderators,
# who look after comments, do not.
EDITOR_PERMISSIONS = ["decide_suggestion", "view_suggestion", "view_suggestiondecision"]


def let_editors_decide(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("suggestions")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="suggestions", codename__in=EDITOR_PERMISSIONS
        )
    )


def take_the_permissions_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="suggestions", codename__in=EDITOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_suggestions_and_decisions"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(let_editors_decide, take_the_permissions_back)]
