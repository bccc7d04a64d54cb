"""Turning what a user typed into index terms, safely.

Every token is quoted, so FTS5 and tsquery operators in the input (``AND``, ``OR``, ``-``, ``*``,
quotes, parentheses) are plain text; AND semantics throughout. A double-quoted phrase must occur
in the record's text as typed (checked against the stored normalised text, because
search-mode tokens overlap and index phrase queries over them are unreliable). Words the
dictionary does not know (and names added since this process loaded its dictionary) match
either their token or all their characters, then a substring check keeps only true matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from cases.search.text import (
    canonical_forms,
    characters,
    is_cjk,
    is_known_word,
    normalize,
    query_words,
    variants_of,
)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
# Operators typed out of habit; every word is required anyway.
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})

_PHRASE_RE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for a 400 response."""


@dataclass(frozen=True)
class Term:
    """One required part of a query.

    ``tokens`` must all be in the document, or, when ``token`` is set, either that token or all
    of ``tokens``; ``verify`` must then occur in the normalised text; ``surfaces`` are the
    strings to highlight.
    """

    tokens: tuple[str, ...]
    surfaces: tuple[str, ...]
    token: str | None = None
    verify: str | None = None


@dataclass
class ParsedQuery:
    text: str
    terms: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def verifications(self) -> list[str]:
        return [term.verify for term in self.terms if term.verify]

    @property
    def surfaces(self) -> list[str]:
        found: list[str] = []
        for term in self.terms:
            found.extend(surface for surface in term.surfaces if surface and surface not in found)
        return found

    def fts5(self) -> str:
        """An FTS5 MATCH expression: every token double-quoted, AND between terms."""
        return " AND ".join(self.fts5_terms())

    def fts5_terms(self) -> list[str]:
        """Each term's FTS5 expression on its own (``fts5()`` joins them with AND)."""
        return self._render_terms(lambda token: '"' + token.replace('"', '""') + '"', and_op=" AND ", or_op=" OR ")

    def tsquery(self) -> str:
        """A ``to_tsquery('simple', …)`` expression: every lexeme single-quoted, & between terms."""
        return self._render(
            lambda token: "'" + token.replace("'", "''").replace("\\", "") + "'", and_op=" & ", or_op=" | "
        )

    def _render(self, quoted, *, and_op: str, or_op: str) -> str:
        """Each term as its whole-word token OR all its sub-tokens, the terms joined by AND."""
        return and_op.join(self._render_terms(quoted, and_op=and_op, or_op=or_op))

    def _render_terms(self, quoted, *, and_op: str, or_op: str) -> list[str]:
        parts = []
        for term in self.terms:
            all_of = and_op.join(quoted(token) for token in term.tokens)
            if term.token is not None:
                parts.append(f"({quoted(term.token)}{or_op}({all_of}))" if term.tokens else quoted(term.token))
            else:
                parts.append(f"({all_of})")
        return parts


def _clean(raw: str) -> str:
    # NUL and other control characters: PostgreSQL rejects NUL, none of them is searchable.
    return "".join(" " if unicodedata.category(char) in {"Cc", "Cf", "Cs"} else char for char in raw)


def _word_term(word: str) -> Term:
    canonical = canonical_forms().get(word)
    if canonical is not None:
        return Term(tokens=(canonical,), surfaces=variants_of(word))
    if len(word) == 1 or not any(map(is_cjk, word)) or is_known_word(word):
        # A dictionary word (shipped, or a name from the database) is a token wherever it occurs:
        # the index emits every dictionary word inside longer words, and name fields always
        # carry their whole name (documents.NAME_FIELDS).
        return Term(tokens=(word,), surfaces=(word,))
    # A word this process's dictionary does not know: the text may hold it as one token (HMM
    # or a newer dictionary) or split up, so match either and check the text.
    chars = tuple(dict.fromkeys(characters(word)))
    return Term(tokens=chars, token=word, verify=word, surfaces=(word,))


def _phrase_term(phrase: str) -> Term | None:
    phrase = _SPACE_BETWEEN_CJK.sub("", phrase.strip())
    if not phrase:
        return None
    tokens = []
    for word in query_words(phrase):
        tokens.extend(characters(word) if any(map(is_cjk, word)) else [word])
    tokens = list(dict.fromkeys(tokens))
    if not tokens:
        return None
    return Term(tokens=tuple(tokens), verify=phrase, surfaces=(phrase,))


def parse(raw: str) -> ParsedQuery:
    """Parse user input; raises QueryError for input too long to be a search."""
    text = _clean(raw or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are searched")
    parsed = ParsedQuery(text=text)
    terms: list[Term] = []
    phrases: list[str] = []

    def keep_phrase(match: re.Match) -> str:
        phrases.append(next(group for group in match.groups() if group is not None))
        return " "

    rest = _PHRASE_RE.sub(keep_phrase, text)
    # An unbalanced quote is punctuation, not syntax.
    rest = rest.replace('"', " ")
    for phrase in phrases:
        term = _phrase_term(normalize(phrase))
        if term is not None:
            terms.append(term)
    for chunk in rest.split():
        if chunk in OPERATOR_WORDS:
            continue
        for word in query_words(normalize(chunk)):
            terms.append(_word_term(word))
    unique = list(dict.fromkeys(terms))
    if len(unique) > MAX_TERMS:
        raise QueryError(f"the query has {len(unique)} words; at most {MAX_TERMS} are searched together")
    parsed.terms = unique
    return parsed
