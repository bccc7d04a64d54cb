"""Every fact type the extractor proposes, declared once: the one table extraction, review and evaluation read.

A ``FactKind`` says, for one type, how the extractor yields its facts (``propose``, in
``extract.py``), how a candidate of it is shown and corrected in the review queue (``form``), how an
accepted candidate becomes records and reaches its case (``accept``), and how a proposal is matched
against gold (``match``; ``evaluation.py`` scores with it). Its name and its label (zh/en) are its
``FactType`` choice, the stored vocabulary the admin displays.

The form lives in the admin and the acceptor in the services, layers above this one that it may not
import (``tests/test_layering.py``): the entry names them by dotted path, and only the admin and the
services resolve them (``import_string``). ``tests/ingest/test_fact_types.py`` fails until every
choice has an entry and every path resolves.

In dependency order: later types refer to earlier ones (a body's place, a person's organisation,
the place a number describes), so the extractor proposes, and acceptance accepts, in this order.

Adding a type: a ``FactType`` choice (with the candidate's link to the record it makes), its
proposer, form and acceptor, and one entry here; a ``match`` rule if annotations record it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from cases.extraction.extract import (
    Fact,
    Reading,
    propose_dates,
    propose_localities,
    propose_metrics,
    propose_organisations,
    propose_people,
    propose_themes,
)
from cases.models import FactType


@dataclass(frozen=True)
class FactKind:
    fact_type: str
    # Adds the type's facts to the reading (places and organisations are read once, beforehand).
    propose: Callable[[Reading], None]
    # Dotted path of the function ``(candidate, case) -> review.Acceptance``: records, evidence, what
    # reaches the case.
    accept: str
    # Dotted path of the review form (a ``CandidateForm``); None: the label is all there is to edit.
    form: str | None = None
    # (proposal, gold entry in the format of ``evaluation.py``) → same fact; None: not scored.
    match: Callable[[Fact, dict], bool] | None = None


def _norm(name: str) -> str:
    return re.sub(r"[“”\"‘’\s]", "", name)


def match_locality(fact: Fact, gold: dict) -> bool:
    """Same code; a place curated as new: same name (or alias) under the same parent (code or name).

    A place the curator wrote as new that the gazetteer codes matches when its code lies under the
    curated parent's (a place's code starts with its parent's).
    """
    p = fact.payload
    if p.get("code"):
        if gold.get("code"):
            return p["code"] == gold["code"]
        parent = str(gold.get("parent", ""))
        return p.get("name") == gold["name"] and parent.isdigit() and p["code"][: len(parent)] == parent
    names = {gold.get("name"), *gold.get("aliases", [])} - {None}
    parents = {str(gold[key]) for key in ("parent", "parent_name") if gold.get(key)}
    parent_key = p.get("parent_key", "")
    return p.get("name") in names and any(
        parent in (p.get("parent_code"), p.get("parent_name")) or parent_key.endswith("/" + parent)
        for parent in parents
    )


def match_organisation(fact: Fact, gold: dict) -> bool:
    """A proposed name or short form is the curated name or an alias, quotes and spaces aside."""
    proposed = {_norm(n) for n in [fact.payload.get("name", ""), *fact.payload.get("names", [])]}
    return bool(proposed & {_norm(n) for n in [gold["name"], *gold.get("aliases", [])]})


def match_person(fact: Fact, gold: dict) -> bool:
    return fact.payload.get("name") == gold["name"]


def match_metric(fact: Fact, gold: dict) -> bool:
    """Same value, upper value and indicator, proposed where the curated quote stands."""
    p = fact.payload
    if not any(a < end and start < b for a, b in gold["spans"] for start, end in fact.spans):
        return False
    if Decimal(p["value"]) != Decimal(str(gold["value"])):
        return False
    upper = gold.get("value_upper")
    if (Decimal(p["value_upper"]) if p.get("value_upper") else None) != (
        Decimal(str(upper)) if upper is not None else None
    ):
        return False
    return p.get("indicator") == gold.get("indicator")


_FORMS = "cases.admin.ingest_forms"
_ACCEPT = "cases.services.review"

FACT_TYPES: dict[str, FactKind] = {
    kind.fact_type: kind
    for kind in (
        FactKind(
            FactType.LOCALITY,
            propose=propose_localities,
            form=f"{_FORMS}.LocalityCandidateForm",
            accept=f"{_ACCEPT}.accept_locality",
            match=match_locality,
        ),
        FactKind(
            FactType.ORGANISATION,
            propose=propose_organisations,
            form=f"{_FORMS}.OrganisationCandidateForm",
            accept=f"{_ACCEPT}.accept_organisation",
            match=match_organisation,
        ),
        FactKind(
            FactType.PERSON,
            propose=propose_people,
            form=f"{_FORMS}.PersonCandidateForm",
            accept=f"{_ACCEPT}.accept_person",
            match=match_person,
        ),
        FactKind(
            FactType.METRIC,
            propose=propose_metrics,
            form=f"{_FORMS}.MetricCandidateForm",
            accept=f"{_ACCEPT}.accept_metric",
            match=match_metric,
        ),
        FactKind(
            FactType.DATE,
            propose=propose_dates,
            form=f"{_FORMS}.DateCandidateForm",
            accept=f"{_ACCEPT}.accept_date",
        ),
        FactKind(FactType.THEME, propose=propose_themes, accept=f"{_ACCEPT}.accept_theme"),
    )
}


def fact_kind(fact_type: str) -> FactKind:
    """The declaration of ``fact_type``; a ``KeyError`` naming the known types otherwise."""
    try:
        return FACT_TYPES[fact_type]
    except KeyError:
        raise KeyError(f"unknown fact type {fact_type!r}; expected one of {', '.join(FACT_TYPES)}") from None
