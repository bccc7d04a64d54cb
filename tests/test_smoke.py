from __future__ import annotations

from cases.models import Locality


def test_settings_load(db):
    assert Locality.objects.count() == 0
