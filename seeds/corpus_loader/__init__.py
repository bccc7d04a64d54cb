"""Load one curated corpus file (seeds/corpus/*.yaml, see seeds/FORMAT.md).

Records are matched to the rows they were loaded into before (through SeedRecord, or
a natural key such as a statistical code or a case's public id), so a second load of
an unchanged file changes nothing. Everything a file says is checked on the way in:
references, choices, dates, and that every evidence quote occurs in its source.

The loader is split by section: ``reading`` (the file), ``sources``, ``places``, ``actors``,
``cases`` and ``evidence`` each hold the sections of one idea; ``seeds.writer`` the generic
matching and writing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cases.models import Case, Initiative, Locality, Organisation, Person, Source
from cases.search import registry as search
from seeds.corpus_loader.actors import ActorsMixin
from seeds.corpus_loader.cases import CaseFactsMixin
from seeds.corpus_loader.evidence import EvidenceMixin
from seeds.corpus_loader.places import COUNTRY_REF, PlacesMixin
from seeds.corpus_loader.reading import read_corpus
from seeds.corpus_loader.sources import SourcesMixin
from seeds.parsing import records
from seeds.writer import RecordWriter

__all__ = ["COUNTRY_REF", "SECTIONS", "CorpusLoader", "load_corpus_file"]

# A file's sections, in the order ``CorpusLoader._load`` reads them (each after those it refers to).
SECTIONS = [
    "document",
    "sources",
    "localities",
    "organisations",
    "people",
    "positions",
    "initiatives",
    "cases",
    "metrics",
]


class CorpusLoader(SourcesMixin, PlacesMixin, ActorsMixin, CaseFactsMixin, EvidenceMixin, RecordWriter):
    """One corpus file's records, section by section in dependency order (each section's mixin)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path.name)
        self.path = path
        self.file = str(path)
        self.sources: dict[str, Source] = {}
        self.localities: dict[str, Locality] = {}
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.initiatives: dict[str, Initiative] = {}
        self.cases: dict[str, Case] = {}

    def load(self) -> Counter[str]:
        # Saves mark search documents stale; refresh each one once, when the file is done.
        with search.deferred():
            return self._load()

    def _load(self) -> Counter[str]:
        data = read_corpus(self.path, SECTIONS)
        document = self._document(data.get("document"))
        for record in records(self.file, "sources", data.get("sources")):
            self._source(record, document)
        for record in self._parents_first(records(self.file, "localities", data.get("localities")), "parent"):
            self._locality(record)
        organisations = self._parents_first(records(self.file, "organisations", data.get("organisations")), "parent")
        for record in organisations:
            self._organisation(record)
        for record in organisations:
            # Once every organisation exists: a predecessor may come later in the file.
            self._predecessor(record)
        for record in records(self.file, "people", data.get("people")):
            self._person(record)
        for record in records(self.file, "sources", data.get("sources")):
            self._credits(record)
        for record in records(self.file, "positions", data.get("positions")):
            self._position(record)
        for record in self._parents_first(records(self.file, "initiatives", data.get("initiatives")), "parent"):
            self._initiative(record)
        for record in records(self.file, "cases", data.get("cases"), key_field="public_id"):
            self._case(record)
        for record in records(self.file, "metrics", data.get("metrics")):
            self._metric(record)
        return self.counts


def load_corpus_file(path: Path) -> Counter[str]:
    """Load one corpus file (call inside a transaction; ``seeds.loader.load_all`` does)."""
    return CorpusLoader(path).load()
