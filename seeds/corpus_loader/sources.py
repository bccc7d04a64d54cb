"""Sources: the full text they are cut from, their excerpts and their credits."""

from __future__ import annotations

from typing import Any

from cases.models import (
    CreditRole,
    Document,
    Source,
    SourceCredit,
    SourceKind,
)
from cases.models.sources import content_hash
from seeds.parsing import Record


class SourcesMixin:
    """The ``document`` and ``sources`` sections, and each source's ``credits``."""

    def _document(self, raw: Any) -> Document:
        record = Record(self.file, "document", raw if isinstance(raw, dict) else {})
        record.check_keys(["file", "title"], required=["file"])
        text_path = (self.path.parent / record.str("file")).resolve()
        try:
            text = text_path.read_text(encoding="utf-8")
        except OSError as error:
            raise record.error(f"cannot read {text_path}: {error.strerror}", "file") from None
        except UnicodeDecodeError:
            raise record.error(f"{text_path} is not UTF-8", "file") from None
        document = Document.objects.filter(sha256=content_hash(text)).first()
        if document is None:
            document = Document.objects.create(text=text, title=record.str("title"), filename=text_path.name)
            self.counts["documents created"] += 1
        return document

    def _source(self, record: Record, document: Document) -> None:
        record.check_keys(
            [
                "key", "kind", "outlet", "column", "kicker", "headline", "subheadline", "publication", "page",
                "url", "excerpt", "is_truncated", "editorial_note", "intertitles", "credits",
            ],
            required=["key", "kind", "headline", "excerpt"],
        )  # fmt: skip
        excerpt = record.mapping("excerpt")
        start_marker, end_marker = str(excerpt.get("from") or ""), str(excerpt.get("to") or "")
        start = document.text.find(start_marker) if start_marker else -1
        if start < 0:
            raise record.error(f"excerpt start {start_marker!r} does not occur in the document", "excerpt")
        end = document.text.find(end_marker, start) if end_marker else -1
        if end < 0:
            raise record.error(f"excerpt end {end_marker!r} does not occur after its start", "excerpt")
        end += len(end_marker)
        published = record.fuzzy_date("publication")
        fields = {
            "document": document,
            "document_start": start,
            "document_end": end,
            "kind": record.choice("kind", SourceKind),
            "outlet": record.str("outlet"),
            "column": record.str("column"),
            "kicker": record.str("kicker"),
            "headline": record.str("headline"),
            "subheadline": record.str("subheadline"),
            "publication_date": published.date,
            "publication_precision": published.precision,
            "publication_text": published.text,
            "page": record.str("page"),
            "url": record.str("url"),
            "text": document.text[start:end],
            "is_truncated": record.bool("is_truncated"),
            "editorial_note": record.str("editorial_note"),
            "intertitles": [str(intertitle) for intertitle in record.list("intertitles")],
        }
        key = record.str("key")
        natural = {"content_hash": content_hash(fields["text"])}
        self.sources[key] = self._upsert(record, Source, key, fields, natural)

    def _credits(self, record: Record) -> None:
        source = self.sources[record.str("key")]
        wanted = []
        for index, raw in enumerate(record.list("credits")):
            credit = Record(self.file, f"{record.label}.credits[{index}]", raw if isinstance(raw, dict) else {})
            credit.check_keys(["role", "person", "organisation", "as_printed"], required=["role", "as_printed"])
            person = self._ref(credit, "person", self.people, "person")
            organisation = self._ref(credit, "organisation", self.organisations, "organisation")
            if person is None and organisation is None:
                raise credit.error("names neither a person nor an organisation")
            wanted.append((credit.choice("role", CreditRole), getattr(person, "pk", None),
                           getattr(organisation, "pk", None), credit.str("as_printed"), index))  # fmt: skip
        have = list(
            source.credits.order_by("order").values_list("role", "person", "organisation", "as_printed", "order")
        )
        if have != wanted:
            self._replace_links(
                source,
                "credits",
                [
                    SourceCredit(source=source, role=r, person_id=p, organisation_id=o, as_printed=a, order=i)
                    for r, p, o, a, i in wanted
                ],
                "credits updated",
            )
