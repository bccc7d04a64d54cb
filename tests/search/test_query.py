"""Query parsing: every token quoted, AND semantics, phrases and unknown words checked against text."""

from __future__ import annotations

import pytest

from cases.search.query import MAX_QUERY_LENGTH, MAX_TERMS, QueryError, parse

pytestmark = pytest.mark.django_db


def test_operators_are_plain_words_and_every_word_is_required():
    parsed = parse("物业 OR 党建 -纪委")
    expression = parsed.fts5()
    assert " OR " not in expression.replace('" OR (', "")
    assert expression.count(" AND ") == 2
    assert {term.tokens for term in parsed.terms} >= {("物业",), ("党建",), ("纪委",)}


def test_tokens_are_quoted_for_both_backends():
    parsed = parse("物业 NEAR(a b) col:x ^y *")
    assert all(part.startswith(('"', "(")) for part in parsed.fts5().split(" AND "))
    assert all(part.startswith(("'", "(")) for part in parsed.tsquery().split(" & "))


def test_a_quoted_phrase_is_checked_against_the_text_without_spaces():
    parsed = parse('"公司 开展" 物业')
    assert parsed.verifications == ["公司开展"]


def test_an_unbalanced_quote_is_punctuation():
    assert [term.tokens for term in parse('"物业').terms] == [("物业",)]


def test_variants_and_traditional_characters_share_one_token():
    assert parse("業委會").terms[0].tokens == parse("业主委员会").terms[0].tokens == ("业委会",)
    assert set(parse("业委会").surfaces) == {"业委会", "业主委员会"}


def test_unknown_words_match_their_characters_and_are_checked():
    (term,) = parse("邸琴岸").terms
    assert (term.token, term.tokens, term.verify) == ("邸琴岸", ("邸", "琴", "岸"), "邸琴岸")
    assert parse("邸琴岸").fts5() == '("邸琴岸" OR ("邸" AND "琴" AND "岸"))'


def test_nul_and_control_characters_are_dropped():
    assert "\x00" not in parse("物业\x00公司").fts5()


@pytest.mark.parametrize("q", ["物" * (MAX_QUERY_LENGTH + 1), " ".join(f"词{n}" for n in range(MAX_TERMS + 1))])
def test_oversized_queries_raise_a_clear_error(q):
    with pytest.raises(QueryError, match="at most"):
        parse(q)


def test_punctuation_only_is_an_empty_query():
    assert not parse('-- "" ***')
