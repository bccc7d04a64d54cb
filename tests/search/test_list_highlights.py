"""``?q=`` on list endpoints: rows carry highlights computed on the original text."""

from __future__ import annotations

import pytest

from cases.models import Case, Organisation, Source

pytestmark = pytest.mark.django_db

ORIGINALS = {
    "/api/v1/cases/": lambda row: Case.objects.get(public_id=row["public_id"]),
    "/api/v1/sources/": lambda row: Source.objects.get(pk=row["id"]),
    "/api/v1/organisations/": lambda row: Organisation.objects.get(pk=row["id"]),
}
# Document field name → the record's attribute holding that original text.
ATTRIBUTES = {
    "title_zh": "title_zh",
    "summary_zh": "summary_zh",
    "text": "text",
    "headline": "headline",
    "name": "name",
}


def listed(client, path: str, **params) -> list[dict]:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("path", list(ORIGINALS))
def test_list_rows_carry_highlights_that_point_into_the_original_fields(seeded_index, client, path):
    rows = listed(client, path, q="物业", page_size=200)
    assert rows
    checked = 0
    for row in rows:
        assert row["highlights"], row
        record = ORIGINALS[path](row)
        for mark in row["highlights"]:
            assert mark["text"].startswith("物业"), mark
            attribute = ATTRIBUTES.get(mark["field"])
            if attribute is not None:
                assert getattr(record, attribute)[mark["start"] : mark["end"]] == mark["text"]
                checked += 1
        snippet = row["snippet"]
        assert snippet is not None and "<mark>物业" in snippet["marked"]
    assert checked


def test_traditional_queries_highlight_the_simplified_original(seeded_index, client):
    rows = listed(client, "/api/v1/cases/", q="業委會")
    assert rows
    texts = {mark["text"] for row in rows for mark in row["highlights"]}
    assert texts <= {"业委会", "业主委员会"} and texts


def test_list_rows_have_no_highlights_without_q(seeded_index, client):
    for path in ORIGINALS:
        rows = listed(client, path)
        assert rows
        assert all("highlights" not in row and "snippet" not in row for row in rows)
