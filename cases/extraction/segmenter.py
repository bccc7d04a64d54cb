"""jieba, initialised once per process with its cache in a directory the project owns."""

from __future__ import annotations

import logging
import threading
from functools import cache

from django.conf import settings

_lock = threading.Lock()

# Part-of-speech tags that cannot be part of a place name: verbs, adverbs, conjunctions,
# prepositions, particles, pronouns, numerals and measure words.
NOT_IN_NAMES = ("v", "c", "p", "d", "ad", "u", "r", "m", "q", "f")


@cache
def posseg():
    import jieba
    import jieba.posseg

    with _lock:
        cache_dir = getattr(settings, "JIEBA_CACHE_DIR", None)
        if cache_dir:
            cache_dir.mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(cache_dir)
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
    return jieba.posseg


def looks_like_name(stem: str) -> bool:
    """False when jieba reads a verb, adverb, preposition or similar into ``stem`` (提升社区, 留住小区)."""
    words = list(posseg().cut(stem))
    if len(words) == 1 and words[0].flag.startswith("a"):
        return False
    return not any(word.flag.startswith(NOT_IN_NAMES) for word in words)
