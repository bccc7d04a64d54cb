"""The shortcuts taken for speed change no byte of any response (the API's stability promise).

Each shortcut can be switched off; every list page and every detail of the test world, anonymous
and staff, is fetched with it and without it, and the bodies compared byte for byte.
"""

from __future__ import annotations

import pytest

from cases.api.detail import CaseDetailSerializer
from cases.api.serializers import PrototypeFieldsMixin
from cases.models import Case, Initiative, Locality, Organisation, Person, Source
from tests.api.world import World

LISTS = ["cases", "localities", "organisations", "people", "initiatives", "metrics", "sources", "themes", "indicators"]


def urls(world: World) -> list[str]:
    found = [f"/api/v1/{name}/?page_size=200" for name in LISTS]
    found += [f"/api/v1/cases/?region={world.places['chengdu'].code}", "/api/v1/metrics/?format=csv"]
    found += [f"/api/v1/cases/{case.public_id}/" for case in Case.objects.all()]
    found += [f"/api/v1/localities/{pk}/" for pk in Locality.objects.public().values_list("pk", flat=True)[:50]]
    models = {"organisations": Organisation, "people": Person, "initiatives": Initiative, "sources": Source}
    for name, model in models.items():
        found += [f"/api/v1/{name}/{pk}/" for pk in model.objects.public().values_list("pk", flat=True)]
    return found


def bodies(api, addresses: list[str]) -> dict[str, tuple[int, bytes]]:
    answers = {}
    for address in addresses:
        response = api.get(address)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        answers[address] = (response.status_code, content)
    return answers


def plain_fields(self):
    # DRF's own: every field built anew for each serializer instance.
    return super(PrototypeFieldsMixin, self).get_fields()


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_serializer_field_prototypes_change_no_byte(world, client, staff_client, monkeypatch, who):
    api = client if who == "anonymous" else staff_client
    addresses = urls(world)
    fast = bodies(api, addresses)
    assert "_field_prototypes" in vars(CaseDetailSerializer)
    monkeypatch.setattr(PrototypeFieldsMixin, "get_fields", plain_fields)
    plain = bodies(api, addresses)
    assert sum(status == 200 for status, _ in fast.values()) > 40
    for address in addresses:
        assert fast[address] == plain[address], address
