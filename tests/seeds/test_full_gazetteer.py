"""A fresh load of the gazetteer, and the one test that loads the whole of it (665,276 places).

A fresh load (100,000 rows or more into a table holding no coded place) drops the secondary
indexes, and on PostgreSQL the constraints, and builds them after the rows. That path is checked
here on both engines with the fixture gazetteer, by lowering the threshold.

The whole gazetteer is loaded and its counts and codes checked on PostgreSQL, the production
engine, where a load also goes through COPY. It is skipped on SQLite: its data are the same on
both engines, the SQLite code path is the one the fresh-load tests cover, and `make run` loads the
whole gazetteer into SQLite on every new machine. The load took 42 s of the SQLite suite's 220.
Marked ``slow``: deselect it with ``-m "not slow"`` (``make test-fast``).
"""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Level, Locality, LocalityAlias
from seeds import gazetteer_loader
from seeds.gazetteer_loader import load_gazetteer

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


def _places_per_level() -> dict[str, int]:
    return {level: Locality.objects.filter(level=level, code__isnull=False).count() for level in COUNTS}


def test_a_fresh_load_builds_the_indexes_and_constraints_after_the_rows(db, fixture_gazetteer, monkeypatch):
    monkeypatch.setattr(gazetteer_loader, "FRESH_LOAD_ROWS", 1)
    built_after = []
    real = gazetteer_loader._secondary_structures_built_after

    def spy(tables):
        built_after.append(tables)
        return real(tables)

    monkeypatch.setattr(gazetteer_loader, "_secondary_structures_built_after", spy)
    before = _constraints_and_indexes()
    result = load_gazetteer(divisions=fixture_gazetteer, progress=False)
    assert built_after == [[Locality._meta.db_table, LocalityAlias._meta.db_table]]
    assert _constraints_and_indexes() == before
    assert result.created == len(fixture_gazetteer)
    expected = {level: sum(d.level == level for d in fixture_gazetteer) for level in COUNTS}
    assert _places_per_level() == expected
    village = Locality.objects.get(code="510105005007")
    assert village.full_name == FULL_NAMES["510105005007"]
    assert village in Locality.objects.named("长城社区")
    # The rebuilt unique constraint holds: a second load adds nothing.
    again = load_gazetteer(divisions=fixture_gazetteer, progress=False)
    assert not again.changed


def test_a_failed_fresh_load_leaves_the_tables_and_their_indexes_as_they_were(db, fixture_gazetteer, monkeypatch):
    monkeypatch.setattr(gazetteer_loader, "FRESH_LOAD_ROWS", 1)

    def fail(*args, **kwargs):
        raise RuntimeError("the aliases could not be written")

    monkeypatch.setattr(gazetteer_loader, "_load_aliases", fail)
    before = _constraints_and_indexes()
    with pytest.raises(RuntimeError, match="aliases"):
        load_gazetteer(divisions=fixture_gazetteer, progress=False)
    assert _constraints_and_indexes() == before
    assert not Locality.objects.filter(code__isnull=False).exists()


@pytest.mark.slow
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the whole gazetteer is loaded on PostgreSQL; see the module's text"
)
def test_the_full_gazetteer_loads_every_place_with_its_code_once(db):
    # On PostgreSQL a fresh load builds indexes and checks constraints after the rows: all come back.
    before = _constraints_and_indexes()
    result = load_gazetteer(progress=False)
    assert _constraints_and_indexes() == before
    assert result.per_level == COUNTS
    assert result.created == sum(COUNTS.values())
    assert _places_per_level() == COUNTS
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
