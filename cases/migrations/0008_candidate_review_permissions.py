"""Give the Editor and Reviewer groups the review-queue permissions on ingestion candidates.

0002 created the groups before the Candidate model existed (0003), so it skipped them.
"""

from django.db import migrations


def sync_groups(apps, schema_editor):
    from cases.services.roles import editorial_groups_sync

    editorial_groups_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_organisation_case_index"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
