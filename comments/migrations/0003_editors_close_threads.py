from django.contrib.auth.management import create_permissions
from django.db import migrations

THREAD_PERMISSIONS = ["add_thread", "change_thread", "view_thread"]


def let_editors_close_threads(apps, schema_editor):
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comments", codename__in=THREAD_PERMISSIONS
        )
    )


def take_thread_permissions_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="comments", codename__in=THREAD_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_thread_comment"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(let_editors_close_threads, take_thread_permissions_back)]
