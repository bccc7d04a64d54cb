"""The shortcuts taken for speed change no byte of any response (the API's stability promise).

Each shortcut can be switched off; every list page and every detail of the test world, anonymous
and staff, is fetched with it and without it, and the bodies compared byte for byte.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from cases.api.serializers import CaseSerializer, PrototypeFieldsMixin
from cases.api.views import CaseViewSet
from cases.models import (
    Case,
    DatePrecision,
    Evidence,
    Initiative,
    Locality,
    Organisation,
    Person,
    Position,
    Source,
    SourceCredit,
)
from tests import factories
from tests.api.test_query_counts import populate_case
from tests.api.world import World, build_canary_draft, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """The small world, a draft with facts of its own, and a published case with some of everything,
    edge cases included: dated posts, a post in no organisation and one only the draft's page shows,
    a ranged decimal metric without evidence, a quote from a source only the draft cites, a byline
    of two credits."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        place, theme, indicator = built.places["shaocheng"], built.themes["property"], built.indicators["compounds"]
        draft = build_canary_draft(place, theme, indicator, "CANARY")
        rich = factories.case(primary_locality=place, public_id="rich-case")
        populate_case(rich, place, theme, indicator, 3, "丰")
        person = rich.people.first()
        day = {"as_of_date": datetime.date(2020, 5, 17), "as_of_precision": DatePrecision.DAY}
        Position.objects.create(person=person, title="顾问", title_en="adviser", **day)
        Position.objects.create(person=person, organisation=draft.organisations.first(), title="委员")
        factories.metric(
            indicator_obj=indicator, value=Decimal("1.2500"), value_upper=Decimal("2.5"), case=rich, unit="个"
        )
        hidden = draft.sources.first()
        Evidence.objects.create(source=hidden, start=0, end=2, quote=hidden.text[:2], case=rich, claim="说法")
        cited = rich.sources.first()
        photographer = factories.organisation(name="新华社摄影部")
        SourceCredit.objects.create(
            source=cited, role="photographer", organisation=photographer, as_printed="摄影 新华社", order=1
        )
        yield built
        transaction.set_rollback(True)


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
    assert "_field_prototypes" in vars(CaseSerializer)
    monkeypatch.setattr(PrototypeFieldsMixin, "get_fields", plain_fields)
    plain = bodies(api, addresses)
    assert sum(status == 200 for status, _ in fast.values()) > 40
    for address in addresses:
        assert fast[address] == plain[address], address


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_case_details_from_detail_lists_match_the_prefetched_serializer_byte_for_byte(
    world, client, staff_client, monkeypatch, who
):
    api = client if who == "anonymous" else staff_client
    addresses = [f"/api/v1/cases/{case.public_id}/" for case in Case.objects.all()]
    fast = bodies(api, addresses)
    monkeypatch.setattr(CaseViewSet, "prepared_detail", False)
    reference = bodies(api, addresses)
    assert sum(status == 200 for status, _ in fast.values()) >= (3 if who == "anonymous" else len(addresses))
    for address in addresses:
        assert fast[address] == reference[address], address


def test_the_schema_documents_the_detail_and_says_nothing_of_the_shortcuts():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    text = json.dumps(schema, ensure_ascii=False)
    assert "PrototypeFieldsMixin" not in text and "Prepared" not in text
    detail = schema["paths"]["/api/v1/cases/{public_id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert detail["schema"]["$ref"] == "#/components/schemas/CaseDetail"
    nested = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert nested["metrics"]["items"]["$ref"] == "#/components/schemas/Metric"
    assert nested["people"]["items"]["$ref"] == "#/components/schemas/PersonWithPosts"
