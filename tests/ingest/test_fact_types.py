"""The fact-type table: every stored fact type is declared once, whole, and scored by one matcher."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.module_loading import import_string

from cases.admin.ingest_forms import CandidateForm, review_form
from cases.extraction.evaluation import TYPES, score
from cases.extraction.extract import Fact
from cases.extraction.facts import FACT_TYPES, fact_kind
from cases.models import FactType


def test_every_stored_fact_type_has_one_declaration_in_dependency_order():
    assert list(FACT_TYPES) == FactType.values


@pytest.mark.parametrize("fact_type", FactType.values)
def test_each_type_names_a_review_form_and_an_acceptor_that_exist(fact_type):
    kind = FACT_TYPES[fact_type]
    assert callable(import_string(kind.accept))
    form = review_form(fact_type)
    assert issubclass(form, CandidateForm)
    # A type with a form of its own gets it in the queue; the others edit the label only.
    assert form is (import_string(kind.form) if kind.form else CandidateForm)


def test_an_unknown_fact_type_is_refused_by_name():
    with pytest.raises(KeyError, match="unknown fact type 'policy'; expected one of locality, "):
        fact_kind("policy")
    assert review_form("policy") is CandidateForm


def test_the_scored_types_are_those_with_a_matching_rule_in_the_tables_order():
    # Dates and themes are proposed and reviewed, but no annotation records them.
    assert TYPES == ("locality", "organisation", "person", "metric")


PLACE_UNDER_STREET = {"name": "芳华社区", "level": "community", "new": True, "parent_code": "510107012"}

# (why, fact type, proposed payload, proposed span, gold entry, matches). Gold entries are in the one
# format both gold sources are read into: an annotation file's, or a database record's (code, name,
# aliases, parent code and name; a metric's evidence spans).
MATCHES = [
    ("same code", "locality", {"code": "510107012"}, (0, 4), {"code": "510107012"}, True),
    ("another code", "locality", {"code": "510107012"}, (0, 4), {"code": "510107013"}, False),
    ("a new place is not a coded one", "locality", PLACE_UNDER_STREET, (0, 4), {"code": "510107012001"}, False),
    (
        "new place, same parent code",
        "locality",
        PLACE_UNDER_STREET,
        (0, 4),
        {"name": "芳华社区", "parent": "510107012"},
        True,
    ),
    (
        "new place, another parent",
        "locality",
        PLACE_UNDER_STREET,
        (0, 4),
        {"name": "芳华社区", "parent": "510107013"},
        False,
    ),
    (
        "a recorded place by an alias under its parent",
        "locality",
        {**PLACE_UNDER_STREET, "name": "芳华"},
        (0, 2),
        {
            "code": "510107012001",
            "name": "芳华社区",
            "aliases": ["芳华"],
            "parent": "510107012",
            "parent_name": "玉林街道",
        },
        True,
    ),
    (
        "under a new parent, named",
        "locality",
        {"name": "三组", "new": True, "parent_key": "510107012/芳华社区", "parent_name": "芳华社区"},
        (0, 2),
        {"name": "三组", "parent": "芳华社区"},
        True,
    ),
    (
        "annotated as new, coded by the gazetteer under that parent",
        "locality",
        {"code": "510107012001", "name": "芳华社区"},
        (0, 4),
        {"name": "芳华社区", "parent": "510107012"},
        True,
    ),
    (
        "annotated as new, coded elsewhere",
        "locality",
        {"code": "510108012001", "name": "芳华社区"},
        (0, 4),
        {"name": "芳华社区", "parent": "510107012"},
        False,
    ),
    (
        "a short form is an alias, quotes aside",
        "organisation",
        {"name": "芳华社区党委", "names": ["芳华社区党委", "“社区党委”"]},
        (0, 6),
        {"name": "芳华社区党委员会", "aliases": ["社区党委"]},
        True,
    ),
    ("another body", "organisation", {"name": "芳华社区居委会", "names": []}, (0, 7), {"name": "芳华社区党委"}, False),
    ("same name", "person", {"name": "李明华"}, (0, 3), {"name": "李明华"}, True),
    ("another name", "person", {"name": "李明"}, (0, 2), {"name": "李明华"}, False),
]

METRIC = {"indicator": "households", "value": "2000", "value_upper": None}
METRIC_GOLD = {"spans": [(10, 14)], "value": Decimal("2000.0000"), "value_upper": None, "indicator": "households"}
MATCHES += [
    ("where the quote stands, same value", "metric", METRIC, (11, 15), METRIC_GOLD, True),
    ("elsewhere in the text", "metric", METRIC, (20, 24), METRIC_GOLD, False),
    ("annotated with a number, not a decimal", "metric", METRIC, (11, 15), {**METRIC_GOLD, "value": 2000}, True),
    ("another value", "metric", {**METRIC, "value": "200"}, (11, 15), METRIC_GOLD, False),
    ("a range against a single value", "metric", {**METRIC, "value_upper": "2500"}, (11, 15), METRIC_GOLD, False),
    ("another indicator", "metric", {**METRIC, "indicator": "residents"}, (11, 15), METRIC_GOLD, False),
    (
        "no indicator fits, as annotated",
        "metric",
        {**METRIC, "indicator": None},
        (11, 15),
        {**METRIC_GOLD, "indicator": None},
        True,
    ),
]


@pytest.mark.parametrize(
    ("fact_type", "payload", "span", "gold", "expected"),
    [row[1:] for row in MATCHES],
    ids=[f"{row[1]}: {row[0]}" for row in MATCHES],
)
def test_a_proposal_matches_gold_by_its_types_rule(fact_type, payload, span, gold, expected):
    fact = Fact(fact_type, "key", "label", payload, [span])
    assert FACT_TYPES[fact_type].match(fact, gold) is expected


def test_the_score_counts_each_side_once_and_names_the_misses_and_extras():
    facts = [
        Fact("person", "李明华", "李明华", {"name": "李明华"}, [(0, 3)]),
        Fact("person", "李明华2", "李明华（记者）", {"name": "李明华"}, [(30, 33)]),
        Fact("person", "王芳", "王芳", {"name": "王芳"}, [(5, 7)]),
        Fact("date", "今年", "今年", {"text": "今年"}, [(8, 10)]),
    ]
    gold = {t: [] for t in TYPES} | {
        "person": [{"name": "李明华", "label": "李明华"}, {"name": "张洋", "label": "张洋"}]
    }
    people = score("article", facts, gold)["person"]
    assert (people.proposed, people.proposed_matched, people.curated, people.curated_matched) == (3, 2, 2, 1)
    assert people.extras == ["article: 王芳"]
    assert people.misses == ["article: 张洋"]
    assert "date" not in score("article", facts, gold)
