"""An admin import larger than the configured limits is refused before its preview, the limit named."""

from __future__ import annotations

import pytest

from cases.models import Person
from tests.admin.test_import_export import import_preview


def people_csv(rows: int) -> bytes:
    lines = ["id,name,name_en,note"] + [f",测试人物{n},," for n in range(rows)]
    return "\n".join(lines).encode()


@pytest.mark.parametrize(
    ("limits", "message"),
    [({"IMPORT_MAX_ROWS": 5}, "IMPORT_MAX_ROWS"), ({"IMPORT_MAX_BYTES": 100}, "IMPORT_MAX_BYTES")],
)
def test_an_import_over_the_limit_is_refused_with_the_limit_named(client, superuser, settings, limits, message):
    for name, value in limits.items():
        setattr(settings, name, value)
    client.force_login(superuser)
    before = Person.objects.count()
    response = import_preview(client, Person, people_csv(6))
    errors = response.context["form"].errors["import_file"]
    assert message in errors[0], errors
    assert "confirm_form" not in response.context
    assert Person.objects.count() == before


def test_an_import_within_the_limits_reaches_the_preview(client, superuser, settings):
    settings.IMPORT_MAX_ROWS = 6
    client.force_login(superuser)
    response = import_preview(client, Person, people_csv(6))
    assert not response.context["form"].errors
    assert "result" in response.context
