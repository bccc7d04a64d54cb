"""SQLite: the covering join index of the search documents also holds their region codes.

A region-filtered count of a broad search (物业 in province 51) read every matching document's
wide row to reach its province code: 161 ms, against 46 ms from the index. PostgreSQL is unchanged.
"""

from django.db import migrations

from cases.search.schema import recreate_sqlite_join_index


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_candidate_review_permissions"),
    ]

    operations = [
        migrations.RunPython(recreate_sqlite_join_index, migrations.RunPython.noop, elidable=False),
    ]
