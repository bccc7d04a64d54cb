"""Comparing what the extractor proposes for a text with what a curator recorded for it: the gold.

One gold format, whichever the gold comes from: per scored fact type, a list of entries as an
annotation file writes them (``tests/ingest/fixtures/articles/README.md``), each with the
``label`` a miss is reported by, and a metric with the ``spans`` its quote stands at.

- ``load_gold_articles``: unseen articles and their YAML annotations.
- ``curated_facts``: what is curated for a source in the database. Localities: places its evidence,
  organisations, metrics, cases and initiatives name, plus the parent of each curated village or
  compound under a township or county, without the country. Organisations and people: those with
  evidence or a credit in the source. Metrics: those with evidence in the source, at its spans.

One matcher, ``score``: each proposal is compared with each gold entry of its type by the type's
rule (``match`` in ``cases.extraction.facts``; the types without one are not scored). Precision =
proposals matching something curated / proposals; recall = curated facts matched / curated facts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cases.extraction.extract import Fact, extract
from cases.extraction.facts import FACT_TYPES
from cases.models import Case, Evidence, FactType, Level, Locality, Source, SourceCredit

# The scored fact types, in the table's order.
TYPES = tuple(fact_type for fact_type, kind in FACT_TYPES.items() if kind.match is not None)


@dataclass
class Score:
    proposed: int = 0
    proposed_matched: int = 0
    curated: int = 0
    curated_matched: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.proposed_matched / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.curated_matched / self.curated if self.curated else 1.0

    def add(self, other: Score) -> None:
        self.proposed += other.proposed
        self.proposed_matched += other.proposed_matched
        self.curated += other.curated
        self.curated_matched += other.curated_matched
        self.misses += other.misses
        self.extras += other.extras


def curated_facts(source: Source) -> dict[str, list[dict]]:
    """The gold for ``source``: what is curated for it in the database, in the one gold format."""
    evidence = Evidence.objects.filter(source=source).select_related(
        "locality__parent", "organisation__locality", "person", "metric__locality", "initiative"
    )
    localities: dict[int, Locality] = {}
    organisations, people, metrics = {}, {}, {}
    for item in evidence:
        if item.locality_id:
            localities[item.locality_id] = item.locality
            below_township = item.locality.level in (Level.COMMUNITY, Level.COMPOUND)
            if below_township and item.locality.parent and item.locality.parent.level in (Level.TOWNSHIP, Level.COUNTY):
                localities[item.locality.parent_id] = item.locality.parent
        if item.organisation_id:
            organisations[item.organisation_id] = item.organisation
            if item.organisation.locality_id:
                localities[item.organisation.locality_id] = item.organisation.locality
        if item.person_id:
            people[item.person_id] = item.person
        if item.metric_id:
            metrics[item.metric_id] = item.metric
            if item.metric.locality_id:
                localities[item.metric.locality_id] = item.metric.locality
        if item.initiative_id:
            for locality in item.initiative.localities.all():
                localities[locality.pk] = locality
    for credit in SourceCredit.objects.filter(source=source).select_related("person", "organisation"):
        if credit.person_id:
            people[credit.person_id] = credit.person
        if credit.organisation_id:
            organisations[credit.organisation_id] = credit.organisation
    for case in Case.objects.filter(sources=source).select_related("primary_locality"):
        localities[case.primary_locality_id] = case.primary_locality
        for locality in case.localities.all():
            localities[locality.pk] = locality
    localities = {k: v for k, v in localities.items() if v.level != Level.COUNTRY}
    evidence_spans: dict[int, list[tuple[int, int]]] = {}
    for item in evidence:
        if item.metric_id:
            evidence_spans.setdefault(item.metric_id, []).append((item.start, item.end))
    return {
        FactType.LOCALITY: [_locality_gold(locality) for locality in localities.values()],
        FactType.ORGANISATION: [
            {"name": o.name, "aliases": list(o.aliases), "label": str(o)} for o in organisations.values()
        ],
        FactType.PERSON: [{"name": person.name, "label": str(person)} for person in people.values()],
        FactType.METRIC: [
            {
                "spans": evidence_spans.get(metric.pk, []),
                "value": metric.value,
                "value_upper": metric.value_upper,
                "indicator": metric.indicator.code,
                "label": str(metric),
            }
            for metric in metrics.values()
        ],
    }


def _locality_gold(locality: Locality) -> dict:
    gold = {"name": locality.name, "aliases": list(locality.aliases.values_list("name", flat=True))}
    if locality.code:
        gold["code"] = locality.code
    if locality.parent_id:
        gold.update(parent=locality.parent.code, parent_name=locality.parent.name)
    return {**gold, "label": str(locality)}


def score(name: str, facts: list[Fact], gold: dict[str, list[dict]]) -> dict[str, Score]:
    """Precision and recall per scored fact type of ``facts`` against ``gold``; ``name`` labels the lines."""
    scores = {}
    for fact_type in TYPES:
        match = FACT_TYPES[fact_type].match
        proposals = [f for f in facts if f.fact_type == fact_type]
        curated = gold[fact_type]
        result = Score(proposed=len(proposals), curated=len(curated))
        matched_gold: set[int] = set()
        for fact in proposals:
            hits = [i for i, entry in enumerate(curated) if match(fact, entry)]
            if hits:
                result.proposed_matched += 1
                matched_gold.update(hits)
            else:
                result.extras.append(f"{name}: {fact.label}")
        result.curated_matched = len(matched_gold)
        result.misses += [f"{name}: {entry['label']}" for i, entry in enumerate(curated) if i not in matched_gold]
        scores[fact_type] = result
    return scores


def evaluate_source(source: Source, facts: list[Fact] | None = None) -> dict[str, Score]:
    """Precision and recall per fact type of the extractor on one curated source."""
    if facts is None:
        facts = extract(source.text, publication=source.publication_date)
    return score(source.headline, facts, curated_facts(source))


def curated_sources():
    """Sources with curated evidence: the gold standard."""
    return Source.objects.filter(evidence__isnull=False).distinct().order_by("pk")


# --- unseen articles with a gold annotation (tests/ingest/fixtures/articles) ---------------------


@dataclass
class GoldArticle:
    """A text with what a curator would record for it; see tests/ingest/fixtures/articles/README.md."""

    name: str
    text: str
    publication: datetime.date | None
    gold: dict[str, list[dict]]


def load_gold_articles(directory: Path) -> list[GoldArticle]:
    """Every ``NN_slug.yaml`` annotation in ``directory`` with its article, in name order.

    The article is ``NN_slug.txt`` or the ``file:`` the annotation names (an HTML page, a Big5 or
    UTF-16 file); it is read as an upload is (``cases.extraction.reading.decode_bytes``), so the gold
    quotes refer to the text the extractor sees.
    """
    from cases.extraction.reading import decode_bytes

    articles = []
    for path in sorted(directory.glob("*.yaml")):
        annotation = yaml.safe_load(path.read_text(encoding="utf-8"))
        publication = annotation.get("publication")
        if isinstance(publication, str):
            publication = datetime.date.fromisoformat(publication)
        source = directory / annotation.get("file", f"{path.stem}.txt")
        text = decode_bytes(source.read_bytes(), name=source.name).text
        gold = {
            fact_type: [_annotated(fact_type, entry, text) for entry in annotation.get(fact_type) or []]
            for fact_type in TYPES
        }
        articles.append(GoldArticle(path.stem, text, publication, gold))
    return articles


def _annotated(fact_type: str, entry: dict, text: str) -> dict:
    """An annotation's entry in the gold format: with its label, and a metric with its quote's span."""
    if fact_type == FactType.METRIC:
        start = text.find(entry["quote"])
        spans = [(start, start + len(entry["quote"]))] if start >= 0 else []
        return {**entry, "spans": spans, "label": f"{entry['quote']} → {entry.get('indicator') or '(no indicator)'}"}
    return {**entry, "label": entry.get("name") or entry.get("code", "?")}


def evaluate_article(article: GoldArticle, facts: list[Fact] | None = None) -> dict[str, Score]:
    """Precision and recall per fact type of the extractor on one annotated article."""
    if facts is None:
        facts = extract(article.text, publication=article.publication)
    return score(article.name, facts, article.gold)
