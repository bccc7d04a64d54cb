"""The issue's search examples, on the curated seed page, through the public API."""

from __future__ import annotations

import itertools

import pytest

from cases.models import Case, Source, SourceKind
from cases.search.index import missing_documents

pytestmark = pytest.mark.django_db


def search(client, q: str, **params) -> dict:
    response = client.get("/api/v1/search/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def case_ids(client, q: str, **params) -> list[str]:
    response = client.get("/api/v1/cases/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return [row["public_id"] for row in response.json()["results"]]


def chengdu_case_ids() -> set[str]:
    return set(
        Case.objects.published().filter(primary_locality__path__contains="/5101/").values_list("public_id", flat=True)
    )


def test_property_ranks_the_chengdu_property_cases_first(seeded_index, client):
    chengdu = chengdu_case_ids()
    assert len(chengdu) == 2
    found = case_ids(client, "物业")
    assert set(found[: len(chengdu)]) == chengdu


def test_search_across_types_ranks_the_chengdu_property_cases_above_short_names(seeded_index, client):
    # Organisations and initiatives named 红色物业联盟… are short documents that bm25 and ts_rank
    # favour; the cases about the topic must still come first.
    results = search(client, "物业")["results"]
    assert {row["type"] for row in results} >= {"case", "organisation", "initiative"}
    first = results[:2]
    assert [row["type"] for row in first] == ["case", "case"]
    assert {row["id"] for row in first} == chengdu_case_ids()


def test_party_class_finds_the_tianjin_film_classes(seeded_index, client):
    found = case_ids(client, "党课")
    assert found and found[0] == Case.objects.get(title_zh__contains="红色光影").public_id


def test_community_finds_yiyuan(seeded_index, client):
    found = case_ids(client, "共同体")
    assert Case.objects.get(title_zh__contains="沂源").public_id in found


def test_compound_name_finds_its_case(seeded_index, client):
    found = case_ids(client, "西岸观邸")
    assert found == [Case.objects.get(title_zh__contains="西岸观邸").public_id]


def test_discipline_commission_finds_both_photo_captions(seeded_index, client):
    captions = set(Source.objects.filter(kind=SourceKind.PHOTO_CAPTION).values_list("pk", flat=True))
    assert len(captions) == 2
    results = search(client, "纪委", type="source")["results"]
    assert {row["id"] for row in results} == captions


def test_traditional_characters_find_what_simplified_ones_find(seeded_index, client):
    simplified = search(client, "业委会")
    traditional = search(client, "業委會")
    assert simplified["count"] > 0
    assert [r["id"] for r in traditional["results"]] == [r["id"] for r in simplified["results"]]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("业委会", "业主委员会"),
        ("物业公司", "物业企业"),
        ("物业公司", "物业服务企业"),
        ("纪委", "纪委监委"),
        ("黨建", "党建"),
    ],
)
def test_variants_find_the_same_records(seeded_index, client, one, other):
    first = {(r["type"], r["id"]) for r in search(client, one, page_size=200)["results"]}
    second = {(r["type"], r["id"]) for r in search(client, other, page_size=200)["results"]}
    assert first and first == second


def test_highlight_offsets_point_at_the_matched_text_in_the_original(seeded_index, client):
    payload = search(client, "業委會 物业", page_size=200)
    assert payload["results"]
    checked = 0
    for row in payload["results"]:
        snippet = row["snippet"]
        assert snippet is not None
        for mark in snippet["highlights"]:
            fragment = snippet["text"][mark["start"] - snippet["start"] : mark["end"] - snippet["start"]]
            assert fragment.startswith(("业委会", "业主委员会", "物业")), fragment
            checked += 1
        for mark in row["highlights"]:
            assert mark["text"].startswith(("业委会", "业主委员会", "物业")), mark
        # Overlapping sub-words are merged: no span starts inside another.
        spans = [(m["index"], m["start"], m["end"]) for m in row["highlights"]]
        assert all(a[0] != b[0] or a[2] < b[1] for a, b in itertools.pairwise(spans))
    assert checked


def test_snippet_keeps_the_original_text_without_inserted_spaces(seeded_index, client):
    row = search(client, "西岸观邸", type="source")["results"][0]
    source = Source.objects.get(pk=row["id"])
    snippet = row["snippet"]
    assert snippet["field"] == "text"
    assert source.text[snippet["start"] : snippet["end"]] == snippet["text"]
    assert "<mark>西岸观邸</mark>" in snippet["marked"]


def test_single_characters_and_unknown_words_find_what_contains_them(seeded_index, client):
    assert any("琴台府" in (r["snippet"] or {}).get("text", "") for r in search(client, "琴台府")["results"])
    for row in search(client, "桃", page_size=200)["results"]:
        assert any("桃" in mark["text"] for mark in row["highlights"])
    assert search(client, "桃")["count"] >= 1


def test_a_quoted_phrase_must_occur_verbatim(seeded_index, client):
    # Both words occur in the Chengdu report, but never as this phrase.
    assert search(client, "物业 社区")["count"] > 0
    assert search(client, '"物业社区"')["count"] == 0
    phrase = search(client, '"红色物业联盟"', page_size=200)
    assert phrase["count"] > 0
    assert all(any("红色物业联盟" in m["text"] for m in r["highlights"]) for r in phrase["results"])


def test_words_are_all_required(seeded_index, client):
    both = {(r["type"], r["id"]) for r in search(client, "物业 西岸观邸", page_size=200)["results"]}
    only_property = {(r["type"], r["id"]) for r in search(client, "物业", page_size=200)["results"]}
    assert both and both < only_property


def test_facets_count_types_regions_and_themes_of_the_matches(seeded_index, client):
    payload = search(client, "物业", page_size=200)
    by_type = {row["value"]: row["count"] for row in payload["facets"]["type"]}
    assert sum(by_type.values()) == payload["count"]
    assert by_type["case"] == 2
    assert payload["facets"]["province"][0] == {"value": "51", "label": "四川省", "count": payload["count"]}
    assert payload["facets"]["prefecture"][0]["label"] == "成都市"
    themes = {row["value"] for row in payload["facets"]["theme"]}
    assert "property_party_building" in themes
    narrowed = search(client, "物业", type="case")
    assert narrowed["count"] == 2


@pytest.mark.parametrize(
    "q",
    [
        "AND",
        "物业 OR",
        "-物业",
        '"物业',
        'NEAR("a" "b")',
        "物业\x00公司",
        "*",
        "'; DROP TABLE cases_case; --",
        "物业" * 100,
        "a" * 2000,
        "\\",
        "col:物业",
        "^物业",
        "((((",
        "物业 & | !",
    ],
)
def test_hostile_queries_get_200_or_a_clear_400(seeded_index, client, q):
    for path in ("/api/v1/search/", "/api/v1/cases/", "/api/v1/sources/"):
        response = client.get(path, {"q": q})
        assert response.status_code in (200, 400), (path, q, response.status_code)
        if response.status_code == 400:
            assert "q" in response.json()["error"]["fields"]


def test_every_seeded_record_has_a_document(seeded_index):
    assert missing_documents() == {}
