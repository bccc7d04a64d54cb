"""Create the Editor and Reviewer groups and the custom workflow and import/export permissions."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from cases.services.roles import editorial_groups_sync

    editorial_groups_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
