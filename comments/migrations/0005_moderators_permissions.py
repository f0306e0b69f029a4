from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "Moderators"
# Least privilege: what the review queue and the moderation admin need, and nothing on articles,
# users or groups. The moderation log is view-only; comments are never added or deleted by hand.
MODERATOR_PERMISSIONS = [
    "moderate_comment",
    "view_comment",
    "change_comment",
    "view_report",
    "view_ban",
    "add_ban",
    "change_ban",
    "delete_ban",
    "add_blockedterm",
    "change_blockedterm",
    "delete_blockedterm",
    "view_blockedterm",
    "view_moderationaction",
    "view_thread",
    "change_thread",
    "add_sectionpolicy",
    "change_sectionpolicy",
    "view_sectionpolicy",
]


def _moderator_permissions(apps):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS
    )


def grant_moderator_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    moderators, _created = apps.get_model("auth", "Group").objects.get_or_create(name=MODERATORS)
    permissions = list(_moderator_permissions(apps))
    missing = set(MODERATOR_PERMISSIONS) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Permissions missing for the Moderators group: {sorted(missing)}")
    moderators.permissions.add(*permissions)


def take_moderator_permissions_back(apps, schema_editor):
    for moderators in apps.get_model("auth", "Group").objects.filter(name=MODERATORS):
        moderators.permissions.remove(*_moderator_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_moderation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant_moderator_permissions, take_moderator_permissions_back)
    ]
