"""Receiving a page: storing it, cutting it into sources and proposing candidates.

``source_ingest`` stores a document, cuts it into sources and proposes candidates, all in one
transaction; ``source_credit_byline`` turns a printed byline into reporter credits. What an editor
then does with the candidates is ``cases.services.review``'s.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.extraction.reading import IngestError, check_text, decode_bytes
from cases.models import (
    Candidate,
    Document,
    Person,
    Source,
    SourceCredit,
)
from cases.models.sources import content_hash

if TYPE_CHECKING:
    from cases.extraction.extract import Fact


@dataclass
class IngestResult:
    document: Document
    sources: list[Source] = field(default_factory=list)
    created_sources: int = 0
    candidates: int = 0
    already: bool = False

    def summary(self) -> str:
        if self.already:
            return (
                f"Already ingested: document {self.document.pk} ({len(self.sources)} sources); nothing new was created."
            )
        return (
            f"Document {self.document.pk}: {len(self.sources)} sources ({self.created_sources} new), "
            f"{self.candidates} candidates proposed."
        )


def candidates_propose(*, source: Source, facts: list[Fact] | None = None) -> int:
    """Store the extractor's proposals for ``source`` (skipping any already stored); returns how many were new."""
    if facts is None:
        # Imported with the first page, not with every process: the admin imports this module.
        from cases.extraction.extract import extract

        facts = extract(source.text, publication=source.publication_date)
    existing = set(source.candidates.values_list("fact_type", "key"))
    rows = []
    for fact in facts:
        if (fact.fact_type, fact.key[:300]) in existing:
            continue
        start, end = fact.spans[0]
        rows.append(
            Candidate(
                source=source,
                fact_type=fact.fact_type,
                key=fact.key[:300],
                label=fact.label[:300],
                payload=fact.payload,
                start=start,
                end=end,
                quote=source.text[start:end],
                spans=[list(span) for span in fact.spans],
                confidence=fact.confidence,
            )
        )
    Candidate.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def source_ingest(
    *,
    text: str | None = None,
    data: bytes | None = None,
    filename: str = "",
    title: str = "",
    outlet: str = "",
    publication_date: datetime.date | None = None,
    url: str = "",
    page: str = "",
    accessed_date: datetime.date | None = None,
    headline: str = "",
    byline: str = "",
) -> IngestResult:
    """Store a received page, cut it into sources and propose candidates for each.

    The citation details (``url``, ``page`` 版次, ``accessed_date``, ``headline``, ``byline``) are
    those of the article the editor pasted: they go to its first piece (the only one, usually); the
    headline given replaces the one the splitter guessed, the byline's names become reporter credits.

    Idempotent by content: the same text again creates nothing and says so. A page already in the
    database without candidates (e.g. loaded by the seed loader) gets candidates for its sources.
    Raises ``IngestError`` for empty, binary, oversized or undecodable input; nothing is saved then.
    """
    name = filename or "pasted text"
    if data is not None:
        read = decode_bytes(data, name=name)
        text, encoding = read.text, read.encoding
    elif text is not None:
        text, encoding = check_text(text, name=name), "utf-8"
    else:
        raise IngestError("nothing to ingest: give a file or paste text")
    document = Document.objects.filter(sha256=content_hash(text)).first()
    if document is not None:
        sources = list(document.sources.all())
        if Candidate.objects.filter(source__document=document).exists():
            return IngestResult(document=document, sources=sources, already=True)
        result = IngestResult(document=document, sources=sources)
    else:
        document = Document.objects.create(title=title[:300], filename=filename[:300], encoding=encoding, text=text)
        result = IngestResult(document=document)
    if not result.sources:
        from cases.extraction.splitting import split_page

        try:
            pieces = split_page(text)
        except ValueError as error:
            raise IngestError(f"{name}: {error}") from None
        for index, piece in enumerate(pieces):
            piece_text = piece.text()
            source = Source.objects.filter(content_hash=content_hash(piece_text)).first()
            if source is None:
                source = Source(
                    document=document,
                    document_start=piece.start,
                    document_end=piece.end,
                    outlet=outlet[:100],
                    column=piece.column[:200],
                    kicker=piece.kicker[:300],
                    headline=piece.headline[:300] or (title or filename)[:300] or "（无标题）",
                    subheadline=piece.subheadline[:300],
                    kind=piece.kind,
                    text=piece_text,
                    is_truncated=piece.is_truncated,
                )
                if publication_date is not None:
                    source.publication_date = publication_date
                    source.publication_precision = "day"
                if index == 0:
                    source.url = url[:500]
                    source.page = page[:20]
                    source.accessed_date = accessed_date
                    source.headline = headline.strip()[:300] or source.headline
                try:
                    source.full_clean()
                except ValidationError as error:
                    raise IngestError(f"{name}: {'; '.join(error.messages)}") from None
                source.save()
                if index == 0 and byline.strip():
                    source_credit_byline(source=source, byline=byline)
                result.created_sources += 1
            result.sources.append(source)
    for source in result.sources:
        result.candidates += candidates_propose(source=source)
    return result


BYLINE_ROLE_WORDS = re.compile(r"(本报|特约|实习)?(记者|通讯员|撰稿|作者|文|图|摄影?|编辑)[:：]?")


def source_credit_byline(*, source: Source, byline: str) -> list[SourceCredit]:
    """Reporter credits from a byline as printed (``本报记者 张三 李四``): one per name, in order."""
    names = [n for n in re.split(r"[\s,，、;；/]+", BYLINE_ROLE_WORDS.sub(" ", byline)) if n]
    credits = []
    for order, name in enumerate(names):
        people = list(Person.objects.filter(name=name[:100])[:2])
        person = people[0] if len(people) == 1 else Person.objects.create(name=name[:100])
        credit, _ = SourceCredit.objects.get_or_create(
            source=source,
            role="reporter",
            person=person,
            defaults={"as_printed": byline.strip()[:100], "order": order},
        )
        credits.append(credit)
    return credits
