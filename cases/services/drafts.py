"""What a draft case started from a source is called and when it happened.

A draft's public id is a readable slug of its place and subject (``jiangan-hongsewuye-lianmeng``),
unique; its title is the source's headline; its period spans the dates of the events the source
reports, not the day the paper printed it (the dateline ``…10月10日讯`` is the paper's date).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.utils.text import slugify

from cases.models import Case, DatePrecision, Locality

# Level words at the end of a place name that say nothing in a slug: 江岸区 → 江岸.
PLACE_SUFFIXES = (
    "居民委员会", "社区居委会", "自治区", "街道办事处", "特别行政区",
    "社区", "街道", "小区", "省", "市", "区", "县", "镇", "乡", "村",
)  # fmt: skip
SEPARATORS = re.compile(r"[\s，,。．.：:；;、！!？?“”‘’\"'（）()《》〈〉【】\[\]—–\-·…|/]+")
SLUG_LENGTH = 60
# A dateline: up to 40 characters ending in 讯 or 电 at the start of the text (本报北京10月10日电).
DATELINE = re.compile(r"^.{0,40}?[讯电]")


def _stem(name: str) -> str:
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _pinyin_words(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    from cases.extraction.segmenter import posseg

    words = []
    for word in posseg().cut(text):
        syllables = "".join(lazy_pinyin(word.word, errors=lambda chars: list(chars)))
        slug = slugify(syllables)
        if slug:
            words.append(slug)
    return words


def draft_subject(headline: str, places: Iterable[Locality]) -> str:
    """The headline's first clause once the case's place names are taken out of it."""
    text = headline
    names = {
        name for place in places for above in [place, *place.ancestors()] for name in (above.name, _stem(above.name))
    }
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, " ")
    clauses = [clause for clause in SEPARATORS.split(text) if len(clause) >= 2]
    return clauses[0][:12] if clauses else ""


def draft_public_id(*, headline: str, primary: Locality, places: Iterable[Locality] = ()) -> str:
    """A readable, unique slug: the primary place's name and the subject, in pinyin."""
    # The place and the subject's first three words: fanghua-wuye-fuwu-lianmeng.
    words = _pinyin_words(_stem(primary.name)) + _pinyin_words(draft_subject(headline, [primary, *places]))[:3]
    base = "-".join(words)[:SLUG_LENGTH].strip("-") or "case"
    public_id, n = base, 1
    while Case.objects.filter(public_id=public_id).exists():
        n += 1
        public_id = f"{base}-{n}"
    return public_id


def dateline_end(text: str) -> int:
    """Where the dateline ends (0 when there is none): dates before it are the paper's, not events."""
    match = DATELINE.match(text)
    return match.end() if match else 0


def event_period(dates: Iterable[tuple[str, str, str]]) -> dict:
    """Case period fields spanning ``(iso date, precision, as printed)`` triples; empty without dates."""
    known = sorted(
        (datetime.date.fromisoformat(iso), precision, printed)
        for iso, precision, printed in dates
        if iso and precision and precision != DatePrecision.UNKNOWN
    )
    if not known:
        return {}
    first, last = known[0], known[-1]
    fields = {
        "period_start_date": first[0],
        "period_start_precision": first[1],
        "period_text": (first[2] if first[:2] == last[:2] else f"{first[2]}—{last[2]}")[:100],
    }
    if last[:2] != first[:2]:
        fields.update(period_end_date=last[0], period_end_precision=last[1])
    return fields


def lead_span(text: str, limit: int = 200) -> tuple[int, int] | None:
    """The first sentence after the dateline and its bracketed byline: what the case is about."""
    start = dateline_end(text)
    if text[start : start + 1] in ("（", "("):
        close = min((i for i in (text.find("）", start), text.find(")", start)) if i >= 0), default=-1)
        start = close + 1 if 0 <= close < start + 40 else start
    while start < len(text) and text[start] in " \t\r\n\u3000":
        start += 1
    if start >= len(text):
        return None
    stop = text.find("。", start)
    end = min(stop + 1 if stop >= 0 else len(text), start + limit)
    return (start, end) if end > start else None
