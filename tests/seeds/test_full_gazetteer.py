"""The one test that loads the whole gazetteer (665,276 places) and checks its counts and codes.

Everything else uses the fixture gazetteer (tests/conftest.py). Marked ``slow``; it
runs by default (about half a minute on SQLite): deselect with ``-m "not slow"`` (``make test-fast``).
"""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Level, Locality, LocalityAlias
from seeds.gazetteer_loader import load_gazetteer

pytestmark = pytest.mark.slow

COUNTS = {
    Level.PROVINCE: 31,
    Level.PREFECTURE: 342,
    Level.COUNTY: 2978,
    Level.TOWNSHIP: 41352,
    Level.COMMUNITY: 620573,
}

FULL_NAMES = {
    "510105005007": "四川省成都市青羊区少城街道长城社区",
    "510106040007": "四川省成都市金牛区金泉街道郎家社区",
    "370323102268": "山东省淄博市沂源县鲁村镇龙子峪村",
    "371403108256": "山东省德州市陵城区边临镇东于架村",
    "110101001001": "北京市东城区东华门街道多福巷社区",
    "510105005": "四川省成都市青羊区少城街道",
}


def _constraints_and_indexes() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        return {
            table: set(connection.introspection.get_constraints(cursor, table))
            for table in (Locality._meta.db_table, LocalityAlias._meta.db_table)
        }


def test_the_full_gazetteer_loads_every_place_with_its_code_once(db):
    # On PostgreSQL a fresh load builds indexes and checks constraints after the rows: all come back.
    before = _constraints_and_indexes()
    result = load_gazetteer(progress=False)
    assert _constraints_and_indexes() == before
    assert result.per_level == COUNTS
    assert result.created == sum(COUNTS.values())
    for level, count in COUNTS.items():
        assert Locality.objects.filter(level=level, code__isnull=False).count() == count
    for code, full_name in FULL_NAMES.items():
        assert Locality.objects.get(code=code).full_name == full_name
    village = Locality.objects.get(code="371403108256")
    assert village.path == village.parent.path + "371403108256/"
    assert set(village.aliases.values_list("name", flat=True)) == {"东于架村委会", "东于架"}
    # The committee name, the place name and the short form all find it.
    for name in ("东于架村委会", "东于架村", "东于架"):
        assert village in Locality.objects.named(name)
    # 长城社区 is two places in 成都 (青羊区 and 武侯区), and dozens nationally.
    assert Locality.objects.named("长城社区").count() > 20
    assert sorted(Locality.objects.named("长城社区").with_code_prefix("5101").values_list("code", flat=True)) == [
        "510105005007",
        "510107010002",
    ]
    assert LocalityAlias.objects.filter(locality__level=Level.COMMUNITY).count() > 1_000_000
    again = load_gazetteer(progress=False)
    assert again.skipped and not again.changed
