"""Load all seed data: the gazetteer, the vocabularies and every curated corpus file.

``load_all`` is what ``python manage.py load_seeds`` runs. It is one transaction: a
broken file raises ``SeedError`` (naming file, record and field) and leaves the
database as it was. A second run over unchanged files changes nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Indicator, Theme
from seeds.corpus_loader import load_corpus_file
from seeds.errors import SeedError
from seeds.gazetteer_loader import GAZETTEER_FILES, Division, GazetteerResult, load_gazetteer, mark_loaded
from seeds.parsing import records

SEEDS_DIR = Path(__file__).resolve().parent
VOCABULARY_DIR = SEEDS_DIR / "vocabulary"
CORPUS_DIR = SEEDS_DIR / "corpus"

# What the summary line lists per corpus file; links and credits count only as changes.
_ENTITY_KINDS = ("sources", "localities", "organisations", "people", "positions", "initiatives", "cases", "metrics")

__all__ = ["LoadSummary", "SeedError", "load_all", "load_corpus", "load_gazetteer", "load_vocabularies"]


@dataclass
class LoadSummary:
    gazetteer: GazetteerResult | None = None
    vocabulary: Counter[str] = field(default_factory=Counter)
    corpus: dict[str, Counter[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        counts = [self.vocabulary, *self.corpus.values()]
        touched = any(n for c in counts for k, n in c.items() if k.endswith(("created", "updated", "written")))
        return touched or bool(self.gazetteer and self.gazetteer.changed)

    def line(self) -> str:
        parts = []
        if self.gazetteer and self.gazetteer.skipped:
            parts.append("gazetteer unchanged since the last load (same files, same row counts)")
        elif self.gazetteer:
            g = self.gazetteer
            parts.append(f"gazetteer {g.rows:,} places ({g.created:,} new, {g.updated:,} changed)")
        if self.vocabulary:
            parts.append(f"vocabularies {self.vocabulary['themes']} themes, {self.vocabulary['indicators']} indicators")
        for name, counts in self.corpus.items():
            records: Counter[str] = Counter()
            new = changed = 0
            for key, n in counts.items():
                kind, _, status = key.rpartition(" ")
                if status in {"created", "updated", "unchanged"} and kind in _ENTITY_KINDS:
                    records[kind] += n
                if kind in _ENTITY_KINDS:
                    new += n if status == "created" else 0
                    changed += n if status == "updated" else 0
            listed = ", ".join(f"{n} {kind}" for kind, n in records.items())
            parts.append(f"{name}: {listed} ({new} new, {changed} changed)")
        verdict = "" if self.changed else " — nothing changed"
        return f"Loaded {'; '.join(parts)} in {self.seconds:.1f} s{verdict}."


def load_vocabularies(directory: Path = VOCABULARY_DIR) -> Counter[str]:
    """Create or update themes and indicators from their YAML lists."""
    counts: Counter[str] = Counter()
    for filename, model, fields in [
        ("themes.yaml", Theme, ["name_zh", "name_en", "description"]),
        ("indicators.yaml", Indicator, ["name_zh", "name_en", "unit", "description"]),
    ]:
        path = directory / filename
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
            raise SeedError(str(path), f"cannot read: {error}") from None
        section = filename.removesuffix(".yaml")
        for record in records(str(path), section, data, key_field="code"):
            record.check_keys(["code", *fields], required=["code", "name_zh", "name_en"])
            values = {name: record.str(name) for name in fields}
            obj = model.objects.filter(code=record.str("code")).first()
            if obj is None:
                obj = model(code=record.str("code"), **values)
                changed = True
            else:
                changed = any(getattr(obj, k) != v for k, v in values.items())
                for k, v in values.items():
                    setattr(obj, k, v)
            if changed:
                try:
                    obj.full_clean()
                except ValidationError as error:
                    name, messages = next(iter(error.message_dict.items()))
                    raise record.error("; ".join(messages), name) from None
                obj.save()
                counts[f"{section} written"] += 1
            counts[section] += 1
    return counts


def load_corpus(paths: Iterable[Path] | None = None) -> dict[str, Counter[str]]:
    """Load curated corpus files (all of seeds/corpus/*.yaml by default), in name order."""
    paths = sorted(paths) if paths is not None else sorted(CORPUS_DIR.glob("*.yaml"))
    return {path.name: load_corpus_file(path) for path in paths}


@transaction.atomic
def load_all(
    *,
    gazetteer: Path | Sequence[Path] | None = GAZETTEER_FILES,
    corpus: Iterable[Path] | None = None,
    gazetteer_divisions: list[Division] | None = None,
    limit_codes_prefixes: Iterable[str] | None = None,
    progress: bool = True,
    full_check: bool = False,
) -> LoadSummary:
    """Gazetteer, vocabularies, then corpus, in one transaction. ``gazetteer=None`` skips it.

    ``gazetteer_divisions`` (rows already read by ``read_divisions``) replaces the files: the
    test suite reads its fixture gazetteer once per run and inserts it per module.
    """
    started = time.perf_counter()
    summary = LoadSummary()
    if gazetteer_divisions is not None:
        summary.gazetteer = load_gazetteer(divisions=gazetteer_divisions, progress=progress)
    elif gazetteer is not None:
        summary.gazetteer = load_gazetteer(
            gazetteer, limit_codes_prefixes=limit_codes_prefixes, progress=progress, full_check=full_check
        )
    summary.vocabulary = load_vocabularies()
    summary.corpus = load_corpus(corpus)
    if summary.gazetteer is not None:
        # The corpus may add aliases to gazetteer places: record the counts as they end up.
        mark_loaded(summary.gazetteer.digest)
    summary.seconds = time.perf_counter() - started
    return summary
