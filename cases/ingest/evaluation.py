"""Comparing what the extractor proposes for a source with what is curated for it.

Matching rules (one per fact type):

- locality: same statistical code; for a proposed new place (no code), same name (or alias) and
  same parent code. Curated for a source = places its evidence, organisations, metrics, cases and
  initiatives name, plus the gazetteer parent of each curated new place (the record states it),
  without the country.
- organisation: a proposed name or short form equals the curated name or one of its aliases,
  after removing quotes and spaces. Curated = organisations with evidence or a credit in the source.
- person: same name. Curated = people with evidence or a credit in the source.
- metric: same indicator, value and upper value, and the proposed span overlaps a curated evidence
  quote of that metric. Curated = metrics with evidence in the source.

Precision = proposals matching something curated / proposals; recall = curated facts matched /
curated facts.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from cases.ingest.extract import Fact, extract
from cases.models import Case, Evidence, Level, Locality, Source, SourceCredit

TYPES = ("locality", "organisation", "person", "metric")


def _norm(name: str) -> str:
    return re.sub(r"[“”\"‘’\s]", "", name)


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


def curated_facts(source: Source) -> dict[str, list]:
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
        "locality": list(localities.values()),
        "organisation": list(organisations.values()),
        "person": list(people.values()),
        "metric": [(m, evidence_spans.get(m.pk, [])) for m in metrics.values()],
    }


def _matches(fact_type: str, fact: Fact, gold) -> bool:
    p = fact.payload
    if fact_type == "locality":
        if p.get("code"):
            return gold.code == p["code"]
        names = {gold.name, *gold.aliases.values_list("name", flat=True)}
        parent_code = gold.parent.code if gold.parent_id else None
        return p.get("name") in names and (
            p.get("parent_code") == parent_code or p.get("parent_name") == gold.parent.name
        )
    if fact_type == "organisation":
        proposed = {_norm(n) for n in [p.get("name", ""), *p.get("names", [])]}
        return bool(proposed & {_norm(n) for n in gold.all_names()})
    if fact_type == "person":
        return p.get("name") == gold.name
    metric, spans = gold
    if p.get("indicator") != metric.indicator.code or Decimal(p["value"]) != metric.value:
        return False
    upper = Decimal(p["value_upper"]) if p.get("value_upper") else None
    if upper != metric.value_upper:
        return False
    return any(a < end and start < b for a, b in spans for start, end in fact.spans)


def evaluate_source(source: Source, facts: list[Fact] | None = None) -> dict[str, Score]:
    if facts is None:
        facts = extract(source.text, publication=source.publication_date)
    gold = curated_facts(source)
    scores = {}
    for fact_type in TYPES:
        score = Score()
        proposals = [f for f in facts if f.fact_type == fact_type]
        curated = gold[fact_type]
        score.proposed, score.curated = len(proposals), len(curated)
        matched_gold = set()
        for fact in proposals:
            hits = [i for i, g in enumerate(curated) if _matches(fact_type, fact, g)]
            if hits:
                score.proposed_matched += 1
                matched_gold.update(hits)
            else:
                score.extras.append(f"{source.headline}: {fact.label}")
        score.curated_matched = len(matched_gold)
        for i, g in enumerate(curated):
            if i not in matched_gold:
                label = str(g[0]) if fact_type == "metric" else str(g)
                score.misses.append(f"{source.headline}: {label}")
        scores[fact_type] = score
    return scores


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
    UTF-16 file); it is read as an upload is (``cases.ingest.reading.decode_bytes``), so the gold
    quotes refer to the text the extractor sees.
    """
    from cases.ingest.reading import decode_bytes

    articles = []
    for path in sorted(directory.glob("*.yaml")):
        annotation = yaml.safe_load(path.read_text(encoding="utf-8"))
        publication = annotation.get("publication")
        if isinstance(publication, str):
            publication = datetime.date.fromisoformat(publication)
        gold = {fact_type: annotation.get(fact_type) or [] for fact_type in TYPES}
        source = directory / annotation.get("file", f"{path.stem}.txt")
        text = decode_bytes(source.read_bytes(), name=source.name).text
        articles.append(GoldArticle(path.stem, text, publication, gold))
    return articles


def _matches_gold(fact_type: str, fact: Fact, gold: dict, text: str) -> bool:
    p = fact.payload
    if fact_type == "locality":
        if gold.get("code"):
            return p.get("code") == gold["code"]
        parent = str(gold.get("parent", ""))
        if p.get("code"):
            # A place the annotation wrote as new that the gazetteer codes: the same name, coded
            # directly under the annotated parent (a new place's code starts with its parent's).
            return p.get("name") == gold["name"] and parent.isdigit() and p["code"][: len(parent)] == parent
        parent = str(gold.get("parent", ""))
        parent_key = p.get("parent_key", "")
        return p.get("name") == gold["name"] and (
            parent in (p.get("parent_code"), p.get("parent_name")) or parent_key.endswith("/" + parent)
        )
    if fact_type == "organisation":
        proposed = {_norm(n) for n in [p.get("name", ""), *p.get("names", [])]}
        return bool(proposed & {_norm(n) for n in [gold["name"], *gold.get("aliases", [])]})
    if fact_type == "person":
        return p.get("name") == gold["name"]
    start = text.find(gold["quote"])
    end = start + len(gold["quote"])
    if start < 0 or not any(a < end and start < b for a, b in fact.spans):
        return False
    if Decimal(p["value"]) != Decimal(str(gold["value"])):
        return False
    upper = gold.get("value_upper")
    if (Decimal(p["value_upper"]) if p.get("value_upper") else None) != (
        Decimal(str(upper)) if upper is not None else None
    ):
        return False
    return p.get("indicator") == gold.get("indicator")


def _gold_label(fact_type: str, gold: dict) -> str:
    if fact_type == "metric":
        return f"{gold['quote']} → {gold.get('indicator') or '(no indicator)'}"
    return gold.get("name") or gold.get("code", "?")


def evaluate_article(article: GoldArticle, facts: list[Fact] | None = None) -> dict[str, Score]:
    """Precision and recall per fact type of the extractor on one annotated article."""
    if facts is None:
        facts = extract(article.text, publication=article.publication)
    scores = {}
    for fact_type in TYPES:
        proposals = [f for f in facts if f.fact_type == fact_type]
        curated = article.gold[fact_type]
        score = Score(proposed=len(proposals), curated=len(curated))
        matched_gold: set[int] = set()
        for fact in proposals:
            hits = [i for i, g in enumerate(curated) if _matches_gold(fact_type, fact, g, article.text)]
            if hits:
                score.proposed_matched += 1
                matched_gold.update(hits)
            else:
                score.extras.append(f"{article.name}: {fact.label}")
        score.curated_matched = len(matched_gold)
        score.misses += [
            f"{article.name}: {_gold_label(fact_type, g)}" for i, g in enumerate(curated) if i not in matched_gold
        ]
        scores[fact_type] = score
    return scores
