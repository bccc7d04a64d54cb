"""SQL compiled once per process and run with each request's value (``cases.statements``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler

from cases.api import filters
from cases.models import Case, Locality
from cases.statements import CompiledRows, CompiledSubquery, KeyStatement

pytestmark = pytest.mark.django_db


def _ids(queryset) -> set[int]:
    return set(Case.objects.filter(pk__in=queryset).values_list("pk", flat=True))


@pytest.mark.parametrize("key", ["sichuan", "qingyang", "shaocheng", "beijing"])
def test_a_compiled_region_id_set_is_the_queryset_built_for_that_region(world, key):
    place = world.places[key]
    # The same statement serves every region after the first: its value is swapped in each time.
    for region in (world.places["bj_chaoyang"], place):
        built = filters._cases_at(region.path)
        sql, params = built.query.get_compiler(using=built.db).as_sql()
        compiled = filters._CASES_AT.sql(region.path)
        assert (compiled.sql, list(compiled.params)) == (sql, list(params))
        assert _ids(compiled) == _ids(built)
    assert _ids(filters._CASES_AT.sql(place.path))


def test_a_stand_in_that_does_not_reach_a_parameter_as_given_is_refused(world):
    # startswith escapes its value into a LIKE pattern: the stand-in cannot be found and swapped.
    escaped = CompiledSubquery(
        lambda path: Locality.objects.filter(path__startswith=path).values("pk"), stand_in="\0_%\0"
    )
    with pytest.raises(ValueError, match="stand-in is not in a parameter"):
        escaped.sql("n1/51/")


def _as_django_builds(rows) -> list[tuple]:
    return [(case.pk, case.public_id, case.primary_locality_id, case.primary_locality) for case in rows]


def test_a_page_reloaded_by_its_keys_is_the_rows_django_builds_with_their_places_and_compiles_once(
    world, django_assert_num_queries, monkeypatch
):
    keys = list(Case.objects.order_by("-pk").values_list("pk", flat=True))
    queryset = Case.objects.select_related("primary_locality")
    reload = CompiledRows(lambda ids: Case._base_manager.select_related("primary_locality").filter(pk__in=ids))
    # The first call compiles; later ones, for pages of any size, only run the statement.
    assert reload.rows(keys[:1])
    compiles = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiles.append(1) or original(self, *a, **k))
    for page in (keys, keys[1:3], []):
        with django_assert_num_queries(1 if page else 0):
            rows = sorted(reload.rows(page), key=lambda case: -case.pk)
            # select_related: reading the place runs no query of its own.
            reloaded = _as_django_builds(rows)
        assert reloaded == _as_django_builds(queryset.filter(pk__in=page).order_by("-pk"))
    assert len(compiles) == 3  # the expected querysets' own; none for the reloads


def test_a_key_statement_reads_the_rows_of_the_keys_given_whatever_their_number(world):
    codes = KeyStatement(
        lambda ids: Case.themes.through.objects.filter(case_id__in=ids).values("case_id", "theme__code")
    )
    keys = list(Case.objects.values_list("pk", flat=True))
    for page in (keys, keys[:1], [], [-1]):
        found = sorted((row["case_id"], row["theme__code"]) for row in codes.rows(page))
        links = Case.themes.through.objects.filter(case_id__in=page).values_list("case_id", "theme__code")
        assert found == sorted(links)
    assert codes.rows(keys)


def _plans_by_statement() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_compiled_statements_are_prepared_and_django_queries_are_not(world):
    codes = KeyStatement(lambda ids: Case.themes.through.objects.filter(case_id__in=ids).values("case_id"))
    reload = CompiledRows(lambda ids: Case._base_manager.filter(pk__in=ids))
    keys = list(Case.objects.values_list("pk", flat=True))
    for page in (keys, keys[:1], keys):
        codes.rows(page)
        reload.rows(page)
    plans = _plans_by_statement()
    # Each ran three times as one prepared statement (its keys are one parameter), whatever the page.
    assert sorted(runs for sql, runs in plans.items() if "unnest($1::bigint[])" in sql) == [3, 3]
    # Django's own queries bind client-side and are never prepared: none with its values written in.
    assert [sql for sql in plans if "$1" not in sql] == []
