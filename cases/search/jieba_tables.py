"""jieba for this project: imported once, its tables read from cache files the project owns.

jieba's own start is slow in three places, each handled here:

- ``import jieba`` imports ``pkg_resources`` where setuptools is installed (a quarter of a second,
  and a deprecation warning); without it jieba opens its files by path, so it is imported with
  ``pkg_resources`` hidden.
- Its prefix dictionary (498,113 entries built from ``dict.txt``) comes from jieba's cache through
  ``marshal.load`` on an open file, which reads it piece by piece: 1.2 s here, against 0.3 s for
  ``marshal.loads`` of the same bytes. It is cached here instead (``disk_cache``), and not as one
  dict: as one row per first character (``disk_cache.FirstCharacterTable``), put into the
  tokeniser's dict when a text first has that character. Hashing half a million words was most of a fresh process's
  first search; a query reads a few rows, an article about a thousand of the 6,900.
- ``import jieba.posseg`` reads ``dict.txt`` again for the part-of-speech tag of every word
  (349,045, three quarters of a second). The import is given an empty file and the tags come from
  a cache file too, in a compact table (``WordTags``).

Both cache files are keyed by jieba's version and the content of ``dict.txt`` and live in
``settings.JIEBA_CACHE_DIR``. The tables are loaded once per process and shared: jieba's global
tokeniser (``jieba.dt``, used by the extraction rules through ``jieba.posseg``) holds the prefix
dictionary itself and is never changed; the search tokeniser (``text.py``) starts from a copy.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from functools import cache
from pathlib import Path

from django.conf import settings

from cases import disk_cache
from cases.lazy_imports import hidden

_lock = threading.RLock()


def _import_without_pkg_resources():
    with _lock, hidden("pkg_resources"):
        import jieba
    jieba.setLogLevel(logging.WARNING)
    return jieba


def jieba_module():
    """The ``jieba`` package (its tables not loaded yet)."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    return _import_without_pkg_resources()


@cache
def _dictionary() -> tuple[bytes, str]:
    """jieba's ``dict.txt`` and the version its tables are cached under."""
    jieba = jieba_module()
    with jieba.dt.get_dict_file() as file:
        data = file.read()
    return data, disk_cache.version("jieba tables", jieba.__version__, data)


def dictionary_version() -> str:
    """Names jieba's version and dictionary, for caches of tables built on top of them."""
    return _dictionary()[1]


def _cache_path(name: str) -> Path:
    return Path(settings.JIEBA_CACHE_DIR) / name


def prefix_dictionary() -> tuple[disk_cache.FirstCharacterTable, int]:
    """jieba's default prefix dictionary (word or prefix → frequency) and its total frequency.

    A ``FirstCharacterTable``: ``Tokenizer`` fills the characters of every text before jieba
    looks its words up with ``in`` (``get_DAG``), and a word's before changing it (``add_word``).
    """
    rows, total = prefix_rows()
    return disk_cache.FirstCharacterTable(rows), total


def prefix_rows() -> tuple[dict[str, bytes], int]:
    """The prefix dictionary by first character (``disk_cache.first_character_rows``), and its total."""
    with _lock:  # a request waits for a warm-up thread's load rather than loading it a second time
        return _prefix_dictionary()


@cache
def _prefix_dictionary() -> tuple[dict[str, bytes], int]:
    data, dictionary = _dictionary()
    # The table's own name and layout are part of its version: a file of another layout is stale.
    version = disk_cache.version("prefix dictionary (first character rows, total)", dictionary)
    path = _cache_path("jieba-prefix-dictionary.marshal")
    cached = disk_cache.read(path, version)
    if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], dict):
        return cached
    frequencies, total = jieba_module().dt.gen_pfdict(io.BytesIO(data))
    rows = disk_cache.first_character_rows(frequencies)
    disk_cache.write(path, version, (rows, total))
    return rows, total


@cache
def _tokenizer_class():
    jieba = jieba_module()

    class Tokenizer(jieba.Tokenizer):
        """jieba's tokeniser over a ``FirstCharacterTable``: fills a text's rows before reading them."""

        def get_DAG(self, sentence):
            self.FREQ.fill(sentence)
            return super().get_DAG(sentence)

        def add_word(self, word, freq=None, tag=None):
            self.FREQ.fill(word[:1])
            return super().add_word(word, freq, tag)

        def suggest_freq(self, segment, tune=False):
            self.FREQ.fill(segment if isinstance(segment, str) else "".join(segment))
            return super().suggest_freq(segment, tune)

    return Tokenizer


def default_tokenizer():
    """``jieba.dt``, jieba's global tokeniser with the default dictionary, ready to cut."""
    jieba = jieba_module()
    with _lock:
        if not jieba.dt.initialized:
            jieba.dt.FREQ, jieba.dt.total = prefix_dictionary()
            # Our subclass (it only adds the filling), so that jieba.posseg, which cuts with
            # jieba.dt, fills the rows too.
            jieba.dt.__class__ = _tokenizer_class()
            jieba.dt.initialized = True
    return jieba.dt


def new_tokenizer(changes: dict[str, bytes] | None = None):
    """A tokeniser of its own over the default dictionary (changes stay in it), with ``changes``
    to it as ``disk_cache.first_character_rows``."""
    rows, total = prefix_rows()
    tokenizer = _tokenizer_class()()
    tokenizer.FREQ, tokenizer.total = disk_cache.FirstCharacterTable(rows, changes), total
    tokenizer.initialized = True
    return tokenizer


class WordTags:
    """jieba's word → part-of-speech tag table, in one string per first character.

    ``jieba.posseg`` only calls ``get(word, default)`` on its table (and ``update`` for user words,
    which ``jieba.dt`` never has), a few thousand times per article. Held as 6,900 strings rather
    than a dict of 349,045 words it loads in milliseconds instead of a quarter of a second; a lookup
    is a substring search in the row of the word's first character: ``"\\n<rest>\\t<tag>\\n"``.
    """

    def __init__(self, rows: dict[str, str]):
        self.rows = rows
        self.extra: dict[str, str] = {}

    @classmethod
    def from_dict(cls, tags: dict[str, str]) -> WordTags:
        rows: dict[str, list[str]] = {}
        for word, tag in tags.items():
            rows.setdefault(word[:1], []).append(f"{word[1:]}\t{tag}")
        return cls({first: "\n" + "\n".join(found) + "\n" for first, found in rows.items()})

    def get(self, word: str, default: str | None = None) -> str | None:
        if word in self.extra:
            return self.extra[word]
        row = self.rows.get(word[:1])
        if row is None or "\n" in word or "\t" in word:
            return default
        key = f"\n{word[1:]}\t"
        at = row.find(key)
        if at < 0:
            return default
        start = at + len(key)
        return row[start : row.index("\n", start)]

    def update(self, tags: dict[str, str]) -> None:
        self.extra.update(tags)


def _word_tags(posseg) -> WordTags:
    data, dictionary = _dictionary()
    version = disk_cache.version("word tags (WordTags rows)", dictionary)
    path = _cache_path("jieba-word-tags.marshal")
    cached = disk_cache.read(path, version)
    if isinstance(cached, dict):
        return WordTags(cached)
    reader = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
    reader.load_word_tag(io.BytesIO(data))
    tags = WordTags.from_dict(reader.word_tag_tab)
    disk_cache.write(path, version, tags.rows)
    return tags


def posseg():
    """``jieba.posseg`` over ``default_tokenizer()``, its word tags read from the cache."""
    jieba = jieba_module()
    tokenizer = default_tokenizer()
    with _lock:
        if "jieba.posseg" in sys.modules:
            return sys.modules["jieba.posseg"]
        # Its module-level POSTokenizer(jieba.dt) reads the tags from this file: give it none.
        tokenizer.get_dict_file = lambda: io.BytesIO()
        try:
            import jieba.posseg
        finally:
            del tokenizer.get_dict_file
        jieba.posseg.dt.word_tag_tab = _word_tags(jieba.posseg)
    return jieba.posseg
