from django.db import migrations

MODERATORS = "Moderators"


def create_moderators_group(apps, schema_editor):
    # Moderators get comment permissions once comments exist; never article or user rights.
    apps.get_model("auth", "Group").objects.get_or_create(name=MODERATORS)


def remove_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MODERATORS).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_moderators_group, remove_moderators_group)]
