"""SQLite: the FTS5 index gains a ``meta`` column (record type, public flag) and a covering join index.

See ``cases.search.schema``. The forward step re-reads every document into FTS5; PostgreSQL is
unchanged. Going back leaves the new structures in place: 0004 creates them too.
"""

from django.db import migrations

from cases.search.schema import recreate_sqlite_index


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_search_document"),
    ]

    operations = [
        migrations.RunPython(recreate_sqlite_index, migrations.RunPython.noop, elidable=False),
    ]
