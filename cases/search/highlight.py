"""Highlights on the original text: character offsets, merged spans, a snippet around the best match.

Matching runs on the stored normalised text (simplified, lower case), which has the same length
as the original field by construction, so offsets found there are offsets in the original.
"""

from __future__ import annotations

from html import escape

from cases.search.documents import TITLE_FIELDS

SNIPPET_LENGTH = 120
MAX_HIGHLIGHTS = 50


def _spans(text: str, surfaces: list[str]) -> list[tuple[int, int]]:
    spans = []
    for surface in surfaces:
        start = text.find(surface)
        while start >= 0:
            spans.append((start, start + len(surface)))
            start = text.find(surface, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        # Overlapping or touching matches (物业 inside 物业公司) become one span, never two.
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def field_texts(fields: list[list[str]], normalized: str) -> list[tuple[str, str, str]]:
    """(name, original, normalised) per field, slicing the stored normalised text by length."""
    result = []
    offset = 0
    for name, original in fields:
        result.append((name, original, normalized[offset : offset + len(original)]))
        offset += len(original) + 1
    return result


def highlight(fields: list[list[str]], normalized: str, surfaces: list[str]) -> dict[str, object]:
    """Every match's field and offsets, and one snippet (from a non-title field when possible)."""
    highlights = []
    best: tuple | None = None
    for index, (name, original, folded) in enumerate(field_texts(fields, normalized)):
        spans = _spans(folded, surfaces) if len(folded) == len(original) else []
        for start, end in spans:
            if len(highlights) < MAX_HIGHLIGHTS:
                highlights.append(
                    {"field": name, "index": index, "start": start, "end": end, "text": original[start:end]}
                )
        if spans:
            # Prefer the body: titles are shown anyway; then the field with the most matches.
            score = (0 if name in TITLE_FIELDS else 1, len(spans))
            if best is None or score > best[:2]:
                best = (*score, name, original, spans, index)
    return {"highlights": highlights, "snippet": _snippet(best) if best else None}


def _snippet(best) -> dict[str, object]:
    _, _, name, original, spans, index = best
    first_start = spans[0][0]
    start = max(0, first_start - SNIPPET_LENGTH // 4)
    end = min(len(original), start + SNIPPET_LENGTH)
    start = max(0, min(start, end - SNIPPET_LENGTH))
    inside = [(s, e) for s, e in spans if s < end and e > start]
    marked = []
    cursor = start
    for s, e in inside:
        s, e = max(s, start), min(e, end)
        marked.append(escape(original[cursor:s]) + "<mark>" + escape(original[s:e]) + "</mark>")
        cursor = e
    marked.append(escape(original[cursor:end]))
    return {
        "field": name,
        "index": index,
        "start": start,
        "end": end,
        "text": original[start:end],
        "marked": "".join(marked),
        "highlights": [{"start": max(s, start), "end": min(e, end)} for s, e in inside],
    }
