"""Searching: the one entry point the API, the admin and the benchmark share.

``search_documents`` searches across record types; ``filter_queryset`` narrows a queryset of
cases, organisations, initiatives or sources and orders it by relevance. Both take the parsed
query from ``query.parse`` and behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, QuerySet

from cases.models import DocumentType, SearchDocument
from cases.search.backends import Searched, backend
from cases.search.highlight import highlight
from cases.search.query import ParsedQuery
from cases.search.registry import BY_MODEL
from cases.statements import KeyStatement

OBJECT_TYPES = {model: entry.object_type for model, entry in BY_MODEL.items()}


def search_documents(
    parsed: ParsedQuery,
    *,
    public_only: bool = True,
    types: list[str] | None = None,
    queryset: QuerySet[SearchDocument] | None = None,
) -> QuerySet[SearchDocument]:
    """Documents matching ``parsed``, best first. Anonymous callers must keep ``public_only``."""
    return searched_documents(parsed, public_only=public_only, types=types, queryset=queryset).queryset


def searched_documents(
    parsed: ParsedQuery,
    *,
    public_only: bool = True,
    types: list[str] | None = None,
    queryset: QuerySet[SearchDocument] | None = None,
) -> Searched:
    """``search_documents`` with the broad-query window (``backends.Searched``)."""
    documents = queryset if queryset is not None else SearchDocument.objects.all()
    return _ordered(backend().search(documents, parsed, types=types or None, public_only=public_only), "id")


def filter_queryset(queryset: QuerySet, parsed: ParsedQuery, *, public_only: bool = True) -> QuerySet:
    """``queryset`` (of an indexed model) narrowed to records matching ``parsed``, best first.

    The queryset's own filters still apply; ``public_only`` also requires the record's document
    to be public, so a caller's mistake in visibility cannot leak drafts through search.
    """
    return searched_queryset(queryset, parsed, public_only=public_only).queryset


def searched_queryset(queryset: QuerySet, parsed: ParsedQuery, *, public_only: bool = True) -> Searched:
    """``filter_queryset`` with the broad-query window (``backends.Searched``)."""
    object_type = OBJECT_TYPES.get(queryset.model)
    if object_type is None:
        raise TypeError(f"{queryset.model.__name__} is not indexed for search")
    return _ordered(backend().search(queryset, parsed, object_type=object_type, public_only=public_only), "pk")


def _ordered(searched: Searched, key: str) -> Searched:
    # The window is the head of the whole result in the same order: its rows rank above 0, the
    # rows outside it rank 0.
    searched.queryset = searched.queryset.order_by("-search_rank", key)
    if searched.window is not None:
        searched.window = searched.window.order_by("-search_rank", key)
    return searched


def facets(documents: QuerySet[SearchDocument]) -> tuple[dict[str, list[dict[str, object]]], int]:
    """Counts by type, province, prefecture and theme over matching documents, and their total.

    Two passes over the matches whatever their number: one grouped by (type, province,
    prefecture), summed here, and one over the theme links.
    """
    from cases.models import Locality, Theme

    base = documents.order_by()
    by_type: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    prefectures: Counter[str] = Counter()
    grouped = (
        base.values_list("object_type", "province_code", "prefecture_code")
        .annotate(n=Count("id"))
        .values_list("object_type", "province_code", "prefecture_code", "n")
    )
    for object_type, province, prefecture, n in grouped:
        by_type[object_type] += n
        if province:
            provinces[province] += n
        if prefecture:
            prefectures[prefecture] += n
    # Joined from the documents themselves: the index's raw SQL names the main table, so the
    # matching queryset cannot be used as a subquery (Django would re-alias it).
    themes = dict(base.values_list("themes").annotate(n=Count("id")).values_list("themes", "n"))
    themes.pop(None, None)
    codes = [*provinces, *prefectures]
    names = dict(Locality.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    theme_rows = Theme.objects.filter(pk__in=themes).values_list("pk", "code", "name_zh", "name_en") if themes else []

    def by_count(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return sorted(rows, key=lambda row: (-row["count"], str(row["value"])))

    result = {
        "type": by_count([{"value": t, "label": DocumentType(t).label, "count": n} for t, n in by_type.items()]),
        "province": by_count([{"value": c, "label": names.get(c, c), "count": n} for c, n in provinces.items()]),
        "prefecture": by_count([{"value": c, "label": names.get(c, c), "count": n} for c, n in prefectures.items()]),
        "theme": by_count(
            [{"value": code, "label": f"{zh} {en}", "count": themes[pk]} for pk, code, zh, en in theme_rows]
        ),
    }
    return result, sum(by_type.values())


def highlights_for(document: SearchDocument, parsed: ParsedQuery) -> dict[str, object]:
    """Offsets of every match in the document's original fields, and a snippet."""
    return highlight(document.fields, document.normalized, parsed.surfaces)


def highlights_by_id(object_type: str, ids: list[int], parsed: ParsedQuery) -> dict[int, dict[str, object]]:
    """``highlights_for`` for a page of records of one type, in one query whatever the page size.

    Records without a document (none, while the signals keep the index in step) get none.
    """
    documents = _PAGE_DOCUMENTS[object_type].rows(ids)
    return {row["object_id"]: highlight(row["fields"], row["normalized"], parsed.surfaces) for row in documents}


def _page_documents(object_type: str) -> KeyStatement:
    return KeyStatement(
        lambda ids: SearchDocument.objects.filter(object_type=object_type, object_id__in=ids).values(
            "object_id", "fields", "normalized"
        )
    )


# A page's documents, per type: compiled once per process (building the query cost more than running it).
_PAGE_DOCUMENTS = {object_type: _page_documents(object_type) for object_type in DocumentType.values}
