"""Citations on the public pages, from ``cases.citations`` (the one home of every citation)."""

from __future__ import annotations

from collections.abc import Iterable

from cases.citations import CITATION_STYLE_LABELS, case_citation, source_citation
from cases.models import Case, Source

STYLES = ("gbt7714", "apa", "bibtex")


def case_citations(case: Case, *, url: str) -> list[dict[str, str]]:
    """ "Cite this case": one entry per style, citing the case page at ``url``."""
    return [
        {"style": style, "label": CITATION_STYLE_LABELS[style], "text": str(case_citation(case, style, url=url))}
        for style in STYLES
    ]


def source_citations(sources: Iterable[Source]) -> dict[int, list[dict[str, str]]]:
    """Each source's full citation in every style, by source id."""
    return {
        source.pk: [
            {"style": style, "label": CITATION_STYLE_LABELS[style], "text": str(source_citation(source, style))}
            for style in STYLES
        ]
        for source in sources
    }
