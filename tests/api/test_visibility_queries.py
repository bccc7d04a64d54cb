"""The public() querysets decide visibility per row by joining down indexed foreign keys.

An ``IN (SELECT …)`` list inside the correlated EXISTS let SQLite probe the whole list of
published links for every organisation: 1 s at 2,000 cases, unfinished at 100,000. Correctness is
covered by the canary (tests/api/test_canary.py); this guards the shape of the SQL.
"""

from __future__ import annotations

import pytest

from cases.models import Metric, Organisation, Person


@pytest.mark.parametrize("model", [Organisation, Person, Metric])
def test_public_visibility_has_no_list_subquery_inside_its_exists(db, model):
    sql = str(model.objects.public().query)
    assert "EXISTS" in sql
    assert " IN (SELECT" not in sql, sql


def test_public_organisations_are_those_with_a_published_link(world):
    published = {case.pk for case in world.published}
    expected = {
        org.pk
        for org in Organisation.objects.all()
        if org.case_roles.filter(case__in=published).exists()
        or org.participations.filter(initiative__cases__in=published).exists()
        or org.credits.filter(source__cases__in=published).exists()
    }
    assert set(Organisation.objects.public().values_list("pk", flat=True)) == expected
    assert world.draft.organisations.get().pk not in expected
