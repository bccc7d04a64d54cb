"""SQL compiled once per process and run with each request's value (``cases.api.statements``)."""

from __future__ import annotations

import pytest

from cases.api import filters
from cases.api.statements import CompiledSubquery
from cases.models import Case, Locality

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
