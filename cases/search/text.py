"""Text handling for search: normalisation, the jieba tokeniser and variant forms.

jieba is loaded lazily, once per process, into a tokeniser of our own (not jieba's global one),
from the cache files in ``settings.JIEBA_CACHE_DIR`` (``jieba_tables``, and the names' changes to
the dictionary here, keyed by the names). Its dictionary is the jieba default plus the
governance dictionary shipped in ``dictionary/governance.txt`` plus every locality, organisation
and initiative name and alias in the database at the moment of loading. The dictionary is never
changed afterwards: jieba's dictionary edits are not safe against concurrent ``cut`` calls.
Names added later are still found: a process that does not know a word matches its characters
and checks the text (``query.py``), and a record's own name fields always carry the whole name as
a token (``documents.NAME_FIELDS``). A new name inside free text (a summary, a source) becomes a
token at the next ``reindex``; until then a process started after the name was added finds that
text only through the name fields of the records that carry it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings

from cases import disk_cache
from cases.search import jieba_tables

DICTIONARY_DIR = Path(__file__).resolve().parent / "dictionary"
GOVERNANCE_DICTIONARY = DICTIONARY_DIR / "governance.txt"
VARIANTS_FILE = DICTIONARY_DIR / "variants.txt"

# A token is a run of letters or digits; punctuation, spaces and underscores separate tokens in
# both FTS5's unicode61 tokenizer and PostgreSQL's parser, so we drop them before either sees them.
_TOKEN_RE = re.compile(r"[^\W_]+")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NAME_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·\w]{2,30}$")

_lock = threading.Lock()
_state: dict[str, object] = {}


def is_cjk(char: str) -> bool:
    return bool(_CJK_RE.fullmatch(char))


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _traditional_triggers() -> frozenset[str]:
    """Characters whose presence can make OpenCC's t2s change a text.

    Most text is already simplified; checking for these first skips the (pure Python) phrase
    conversion, a third of the indexing time. A phrase can also change through a character that
    is simplified on its own (反覆 → 反复), so those characters are included.
    """
    import opencc

    directory = Path(opencc.__file__).resolve().parent / "dictionary"
    triggers: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (directory / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            value = values.split(" ")[0] if values else key
            if len(key) == len(value):
                triggers.update(k for k, v in zip(key, value, strict=True) if k != v)
            elif key != value:
                triggers.update(key)
    return frozenset(triggers)


def normalize(text: str) -> str:
    """Simplified Chinese, lower case, same length as ``text`` so offsets carry over unchanged.

    OpenCC converts whole phrases, which can change length in rare cases; then it converts
    character by character and keeps any character whose conversion is not a single character.
    """
    if not text:
        return ""
    converted = text if _traditional_triggers().isdisjoint(text) else _converter().convert(text)
    if len(converted) != len(text):
        pieces = []
        for char in text:
            one = _converter().convert(char)
            pieces.append(one if len(one) == 1 else char)
        converted = "".join(pieces)
    lowered = converted.lower()
    if len(lowered) != len(converted):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in converted)
    return lowered


@cache
def variant_groups() -> tuple[tuple[str, ...], ...]:
    """Groups of equivalent forms from ``variants.txt``, canonical form first."""
    groups = []
    for line in VARIANTS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            groups.append(tuple(normalize(word) for word in line.split()))
    return tuple(groups)


@cache
def canonical_forms() -> dict[str, str]:
    """Every variant member (normalised) → its group's canonical form."""
    return {member: group[0] for group in variant_groups() for member in group}


def variants_of(word: str) -> tuple[str, ...]:
    """All surface forms equivalent to ``word`` (itself included)."""
    canonical = canonical_forms().get(word)
    if canonical is None:
        return (word,)
    return next(group for group in variant_groups() if group[0] == canonical)


def database_names() -> list[str]:
    """Locality, organisation and initiative names and aliases worth keeping as single tokens.

    The 620,573 gazetteer villages and communities are left out (adding them one by one took
    most of a minute and would split ordinary words such as 和平 or 光明 oddly); only those that
    curated records use — with a case, an organisation, an initiative or a compound beneath —
    become words. Extraction finds the others with the gazetteer's automaton.
    """
    from django.db.models import Q

    from cases.models import Case, Initiative, Level, Locality, LocalityAlias, Metric, Organisation

    # No ordering anywhere: the default orders (a locality's path, a metric's indicator) would make
    # each query scan or join a whole table only to sort ids and names that end up in a set.
    referenced: set[int] = set(Case.objects.order_by().values_list("primary_locality_id", flat=True))
    referenced.update(Case.localities.through.objects.values_list("locality_id", flat=True))
    referenced.update(Organisation.objects.order_by().values_list("locality_id", flat=True))
    referenced.update(Initiative.localities.through.objects.values_list("locality_id", flat=True))
    referenced.update(Metric.objects.order_by().values_list("locality_id", flat=True))
    uncoded = Locality.objects.filter(code__isnull=True).order_by()
    referenced.update(uncoded.values_list("parent_id", flat=True))
    used_villages = set(
        Locality.objects.filter(pk__in=referenced - {None}, level=Level.COMMUNITY).values_list("pk", flat=True)
    )
    # Level by level, so each query is a range on the (level, code) index: given all six levels at
    # once, SQLite reads the whole table instead.
    others = [level for level in Level if level != Level.COMMUNITY]
    parts = [Locality.objects.filter(level=level) for level in others]
    parts += [uncoded.filter(level=Level.COMMUNITY), Locality.objects.filter(pk__in=used_villages)]
    listed = [name for part in parts for name in part.order_by().values_list("name", flat=True)]
    # As a subquery the same condition is an OR of index searches.
    not_village = Q(level__in=others) | Q(level=Level.COMMUNITY, code__isnull=True) | Q(pk__in=used_villages)
    places = Locality.objects.filter(not_village).order_by().values("pk")
    names: set[str] = set(LocalityAlias.objects.filter(locality__in=places).values_list("name", flat=True))
    for name in listed:
        names.add(name)
        # 西岸观邸小区 is mostly written 西岸观邸: keep the compound's own name whole too.
        if name.endswith("小区") and len(name) >= 5:
            names.add(name[:-2])
    for model in (Organisation, Initiative):
        for name, aliases in model.objects.values_list("name", "aliases"):
            names.add(name)
            names.update(alias for alias in aliases or [] if isinstance(alias, str))
    return sorted(_normalize_names(name for name in names if name and _NAME_RE.match(name) and _CJK_RE.search(name)))


def _normalize_names(names: Iterable[str]) -> list[str]:
    """``normalize`` of each name, most without a call: a name with no character OpenCC could
    change and no lower-casing that changes its length only needs lower-casing (39,000 names)."""
    triggers = _traditional_triggers()
    found = []
    for name in names:
        lowered = name.lower()
        found.append(lowered if len(lowered) == len(name) and triggers.isdisjoint(name) else normalize(name))
    return found


def _words_cache_stem() -> str:
    """Files of their own per database: the test and development databases do not evict each other's."""
    from django.db import connection

    database = disk_cache.version(connection.vendor, str(connection.settings_dict.get("NAME")))[:16]
    return f"search-words-{database}"


def _build_tokenizer(extra_words: Iterable[str]):
    """jieba's default dictionary plus ours plus ``extra_words``.

    Adding 39,000 names one by one (each ``add_word`` cuts the word to choose its frequency) took a
    second; what they change in the dictionary is cached, keyed by everything the result depends
    on, and replayed onto a copy of the default dictionary.
    """
    words = list(extra_words)
    version = disk_cache.version(
        "search words 2 (changes by first character, total, tags)",  # change it when the build below changes
        jieba_tables.dictionary_version(),
        GOVERNANCE_DICTIONARY.read_bytes(),
        VARIANTS_FILE.read_bytes(),
        "\n".join(words),
    )
    directory, stem = Path(settings.JIEBA_CACHE_DIR), _words_cache_stem()
    cached = disk_cache.read_version(directory, stem, version)
    if isinstance(cached, tuple) and len(cached) == 3:
        changes, total, tags = cached
        tokenizer = jieba_tables.new_tokenizer(changes)
        tokenizer.total, tokenizer.user_word_tag_tab = total, tags
        return tokenizer
    tokenizer = jieba_tables.new_tokenizer()
    tokenizer.FREQ.fill_all()  # every word is read below: the whole dictionary, not row by row
    default, _ = jieba_tables.prefix_dictionary()
    tokenizer.load_userdict(str(GOVERNANCE_DICTIONARY))
    for group in variant_groups():
        for word in group:
            if word not in tokenizer.FREQ or not tokenizer.FREQ[word]:
                tokenizer.add_word(word)
    for word in words:
        if not tokenizer.FREQ.get(word):
            tokenizer.add_word(word)
    # add_word only adds entries or raises frequencies (none of ours is 0, which would also
    # change jieba's HMM): the entries that differ from the default dictionary are the whole change.
    changes = {word: freq for word, freq in tokenizer.FREQ.items() if default.get(word) != freq}
    disk_cache.write_version(
        directory,
        stem,
        version,
        (disk_cache.first_character_rows(changes), tokenizer.total, tokenizer.user_word_tag_tab),
    )
    return tokenizer


def tokenizer():
    """The process's jieba tokeniser, built on first use (reads names from the database)."""
    found = _state.get("tokenizer")
    if found is not None:
        return found
    with _lock:
        if "tokenizer" not in _state:
            _state["tokenizer"] = _build_tokenizer(database_names())
    return _state["tokenizer"]


def install_tokenizer(extra_words: Iterable[str]) -> None:
    """Build the tokeniser now from the given names (used before forking reindex workers), its
    dictionary filled whole: the workers cut every kind of text and share the filled pages."""
    with _lock:
        _state["tokenizer"] = _build_tokenizer(extra_words)
        _state["tokenizer"].FREQ.fill_all()
        _short_text_tokens.cache_clear()


def reset_tokenizer() -> None:
    """Forget the tokeniser so the next use reloads names from the database (tests, reindex)."""
    with _lock:
        _state.clear()
        _short_text_tokens.cache_clear()


def is_known_word(word: str) -> bool:
    """Whether ``word`` is in this process's dictionary (jieba's, ours, or a database name)."""
    return bool(tokenizer().FREQ.get(word))


# Texts up to this length (names, titles) recur across documents: a case's places, its
# organisations' names. In the 20,000-case bench index they are 15% of the characters cut.
SHORT_TEXT = 64


def index_tokens(text: str) -> list[str]:
    """Search-mode tokens of normalised ``text``, plus the canonical form of every variant.

    Tokens keep their order except that canonical forms come last (bm25 ignores positions).
    A short text's tokens are cut once per tokeniser (``reset_tokenizer`` forgets them).
    """
    if len(text) <= SHORT_TEXT:
        return list(_short_text_tokens(text))
    return _cut_index_tokens(text)


@lru_cache(maxsize=1 << 16)
def _short_text_tokens(text: str) -> tuple[str, ...]:
    return tuple(_cut_index_tokens(text))


def _cut_index_tokens(text: str) -> list[str]:
    canonical = canonical_forms()
    cutter = tokenizer()
    frequencies = cutter.FREQ
    tokens: list[str] = []
    # No HMM guessing of new words at index time: a quarter of the cost, and words jieba does not
    # know are still found through the character column.
    for piece in cutter.cut(text, HMM=False):
        for word in _TOKEN_RE.findall(piece):
            # Like jieba's cut_for_search, but every dictionary word inside a long word, not only
            # those of two or three characters: 红色物业 inside 红色物业联盟 must be a token.
            for size in range(2, len(word)):
                for start in range(len(word) - size + 1):
                    part = word[start : start + size]
                    if frequencies.get(part):
                        tokens.append(part)
            tokens.append(word)
    tokens += [canonical[token] for token in tokens if token in canonical and canonical[token] != token]
    return tokens


def characters(text: str) -> list[str]:
    """Every CJK character of ``text``: lets single characters and unknown words be found."""
    return _CJK_RE.findall(text)


def query_words(text: str) -> list[str]:
    """Words of a normalised query chunk in jieba's precise mode, punctuation dropped."""
    words: list[str] = []
    for piece in tokenizer().cut(text):
        words.extend(_TOKEN_RE.findall(piece))
    return words
