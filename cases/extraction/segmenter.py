"""jieba's part-of-speech reading of candidate place names (tables from ``search.jieba_tables``)."""

from __future__ import annotations

from functools import cache

from cases.search import jieba_tables

# Part-of-speech tags that cannot be part of a place name: verbs, adverbs, conjunctions,
# prepositions, particles, pronouns, numerals and measure words.
NOT_IN_NAMES = ("v", "c", "p", "d", "ad", "u", "r", "m", "q", "f")


@cache
def posseg():
    return jieba_tables.posseg()


def is_ordinary_word(word: str) -> bool:
    """Whether jieba's default dictionary (not ours, nor the database's names) has ``word``."""
    return bool(jieba_tables.default_tokenizer().FREQ.get(word))


def looks_like_name(stem: str) -> bool:
    """False when jieba reads a verb, adverb, preposition or similar into ``stem`` (提升社区, 留住小区)."""
    words = list(posseg().cut(stem))
    if len(words) == 1 and words[0].flag.startswith("a"):
        return False
    return not any(word.flag.startswith(NOT_IN_NAMES) for word in words)
