"""Broad queries on SQLite: FTS5 drops other types and drafts itself (meta tokens), with the same results."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Case, DocumentType, Status
from cases.search import backends
from cases.search.query import parse
from cases.search.service import filter_queryset, search_documents
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the meta tokens are SQLite's FTS5 only"),
]


@pytest.fixture
def records():
    place = factories.chengdu_tree()["changcheng"]
    published = [factories.case(primary_locality=place, title_zh=f"网格化试点{n}") for n in range(3)]
    draft = factories.case(primary_locality=place, status=Status.IN_REVIEW, title_zh="网格化草稿")
    source = factories.source(text="网格化管理的报道。")
    published[0].sources.add(source)
    return {"published": published, "draft": draft, "source": source}


def results(q: str) -> dict[str, list]:
    parsed = parse(q)
    return {
        "cases": list(filter_queryset(Case.objects.all(), parsed).values_list("pk", flat=True)),
        "documents": list(search_documents(parsed).values_list("object_type", "object_id")),
        "sources": list(search_documents(parsed, types=[DocumentType.SOURCE]).values_list("object_id", flat=True)),
    }


def test_broad_and_selective_plans_find_the_same_public_records(records, monkeypatch):
    selective = results("网格化")
    monkeypatch.setattr(backends, "BROAD_MATCHES", 0)
    broad = results("网格化")
    assert broad == selective
    assert set(broad["cases"]) == {case.pk for case in records["published"]}
    assert broad["sources"] == [records["source"].pk]
    assert records["draft"].pk not in {pk for kind, pk in broad["documents"] if kind == DocumentType.CASE}


def test_publication_reaches_the_meta_tokens(records, monkeypatch):
    monkeypatch.setattr(backends, "BROAD_MATCHES", 0)
    draft = records["draft"]
    assert draft.pk not in results("网格化草稿")["cases"]
    # A save that changes only the status: the document's texts are unchanged, its meta is not.
    draft.status, draft.published_at = Status.PUBLISHED, timezone.now()
    draft.save()
    assert results("网格化草稿")["cases"] == [draft.pk]
    draft.status, draft.published_at = Status.DRAFT, None
    draft.save()
    assert results("网格化草稿")["cases"] == []
