"""Region filtering: a code, an id or a name matches the place and everything beneath it."""

from __future__ import annotations

import pytest

from cases.api.regions import resolve_region
from cases.models import Case, Locality
from tests.api.world import World


def expected_cases(world: World, place: Locality) -> set[str]:
    """Published cases with their primary or a further locality at or beneath ``place``, from the objects."""

    def inside(locality: Locality) -> bool:
        return locality.path.startswith(place.path)

    return {
        case.public_id
        for case in world.published
        if inside(case.primary_locality) or any(inside(loc) for loc in case.localities.all())
    }


def public_ids(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["public_id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "key", ["sichuan", "chengdu", "qingyang", "shaocheng", "changcheng", "compound", "jinquan", "beijing"]
)
def test_region_by_code_or_id_includes_descendants_at_every_level(world, client, key):
    place = world.places[key]
    value = place.code or f"id:{place.pk}"
    expected = expected_cases(world, place)
    assert expected, "each level has at least one case in the test world"
    assert public_ids(client.get("/api/v1/cases/", {"region": value, "page_size": 200})) == expected


@pytest.mark.parametrize("name", ["四川省", "成都市", "成都", "青羊区", "少城街道", "长城社区", "汇厦少城琴台府小区"])
def test_region_by_name_or_alias_matches_the_code(world, client, name):
    place = Locality.objects.named(name).get()
    by_name = public_ids(client.get("/api/v1/cases/", {"region": name}))
    assert by_name == expected_cases(world, place)


def test_region_by_name_reaches_cases_through_further_localities(world, client):
    assert world.cases["further"].public_id in public_ids(client.get("/api/v1/cases/", {"region": "少城街道"}))
    assert world.cases["further"].public_id in public_ids(client.get("/api/v1/cases/", {"region": "11"}))


@pytest.mark.parametrize(
    ("name", "codes"), [("朝阳区", {"110105", "220104"}), ("金泉街道", {"510106040", "522628001"})]
)
def test_ambiguous_region_lists_candidates_with_codes_and_full_names(world, client, name, codes):
    response = client.get("/api/v1/cases/", {"region": name})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "ambiguous_region"
    assert {c["code"] for c in error["candidates"]} == codes
    for candidate in error["candidates"]:
        assert candidate["full_name"] in error["message"]
    assert list(error["fields"]) == ["region"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("99", "no locality has the statistical code 99"),
        ("123", "not a statistical code"),
        ("id:999999", "no locality has the id 999999"),
        ("id:abc", "after id:"),
        ("火星市", "no locality is named '火星市'"),
    ],
)
def test_unknown_region_is_a_400_naming_the_problem(world, client, value, fragment):
    response = client.get("/api/v1/cases/", {"region": value})
    assert response.status_code == 400
    assert fragment in response.json()["error"]["fields"]["region"][0]


def test_draft_only_compound_is_not_a_public_region(world, client):
    compound = world.draft.primary_locality
    response = client.get("/api/v1/cases/", {"region": f"id:{compound.pk}"})
    assert response.status_code == 400
    assert client.get("/api/v1/cases/", {"region": compound.name}).status_code == 400


def test_every_coded_place_is_public_so_a_code_lookup_skips_the_visibility_check(world, client):
    # resolve_region looks codes up without Locality.objects.public(): that holds only while
    # every coded place is public, with or without a published case.
    coded = Locality.objects.filter(code__isnull=False)
    assert coded.exists()
    assert coded.count() == Locality.objects.public().filter(code__isnull=False).count()
    unused = coded.exclude(primary_cases__isnull=False).exclude(cases__isnull=False).first()
    assert unused is not None
    assert client.get("/api/v1/cases/", {"region": unused.code}).status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "key"),
    [("localities", "qingyang"), ("organisations", "changcheng"), ("initiatives", "sichuan"), ("metrics", "sichuan")],
)
def test_region_filter_on_other_resources_matches_places_beneath(world, client, endpoint, key):
    place = world.places[key]
    rows = client.get(f"/api/v1/{endpoint}/", {"region": place.code or f"id:{place.pk}", "page_size": 200}).json()
    ids = {row["id"] for row in rows["results"]}
    if endpoint == "localities":
        expected = set(Locality.objects.public().filter(path__startswith=place.path).values_list("pk", flat=True))
    elif endpoint == "organisations":
        expected = {o.pk for o in world.organisations.values() if o.locality and o.locality.path.startswith(place.path)}
    elif endpoint == "initiatives":
        public = Case.objects.published().values("initiatives")
        expected = {
            i.pk
            for case in world.published
            for i in case.initiatives.filter(pk__in=public)
            if any(loc.path.startswith(place.path) for loc in i.localities.all())
        }
    else:
        expected = {m.pk for m in world.metrics if (m.locality or m.case.primary_locality).path.startswith(place.path)}
    assert ids == expected


@pytest.mark.parametrize("key", ["sichuan", "chengdu", "shaocheng"])
def test_a_code_resolves_to_the_same_place_as_the_orm_reads_it_padded_or_not(world, key):
    place = world.places[key]
    expected = Locality.objects.get(pk=place.pk)
    for value in (place.code, place.code.ljust(12, "0")):
        found = resolve_region(value)
        assert {f.attname: getattr(found, f.attname) for f in Locality._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in Locality._meta.concrete_fields
        }
