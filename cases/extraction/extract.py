"""Proposing candidate facts for a text, each with the exact span it comes from.

``extract(text)`` returns ``Fact`` objects; nothing is written. Spans are offsets in the text as
given (the working view that rejoins broken words maps back to them). It reads the text once
(``Reading``: places and organisations, which several types need) and runs the proposer of each
fact type in ``cases.extraction.facts.FACT_TYPES``, in the table's order; the proposers are here.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cases.extraction import splitting
from cases.extraction.actors import organisation_mentions
from cases.extraction.gazetteer import LEVEL_RANK, get_gazetteer
from cases.extraction.metrics import metric_mentions
from cases.extraction.numbers import date_mentions
from cases.extraction.people import person_mentions
from cases.extraction.places import (
    Mention,
    assign_parents,
    gazetteer_mentions,
    new_place_mentions,
    settle_committee_names,
    village_mentions,
)
from cases.extraction.segmenter import is_ordinary_word
from cases.extraction.textview import is_han, make_view
from cases.models import FactType, Indicator, Level, Theme

# Words LAC sometimes tags as a person although they are titles or common nouns.
NOT_NAMES = {"书记", "主任", "记者", "通讯员", "老党员", "党员", "群众", "居民", "村民", "网格员"}


@dataclass
class Fact:
    fact_type: str
    key: str
    label: str
    payload: dict[str, Any]
    spans: list[tuple[int, int]] = field(default_factory=list)
    confidence: float = 0.8

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[0][1]


class Reading:
    """One text being read: its working view, the mentions several fact types share, and the facts so far.

    Places and organisations are found once, up front, because other types need them (a body's
    place, a person's organisation, the place a number describes); each fact type's proposer
    (``propose_*``, named by its entry in ``cases.extraction.facts``) then adds its facts.
    """

    def __init__(self, text: str, *, publication: datetime.date | None, themes: list[Theme] | None):
        self.text = text
        self.view = make_view(text)
        self.work = self.view.text
        self.chrome = splitting.chrome_spans(text)
        self.publication = publication
        self.themes = themes
        self.facts: dict[tuple[str, str], Fact] = {}
        # Spans read from page furniture on purpose (作者：某某 in a meta line): kept though chrome.
        self.from_furniture: set[tuple[int, int]] = set()
        self.gazetteer = get_gazetteer()
        self.known = gazetteer_mentions(self.work, self.gazetteer)
        villages = village_mentions(self.work, self.known, self.gazetteer)
        new = new_place_mentions(self.work, self.known + villages)
        assign_parents(new, self.known + villages)
        settle_committee_names(new)
        self.places = sorted(self.known + villages + new, key=lambda m: m.start)
        self.orgs = organisation_mentions(self.work, self.places)

    def add(self, fact_type: str, key: str, label: str, payload: dict, start: int, end: int, confidence=0.8) -> Fact:
        span = self.view.span(start, end)
        fact = self.facts.get((fact_type, key))
        if fact is None:
            fact = Fact(fact_type, key, label, payload, [span], confidence)
            self.facts[(fact_type, key)] = fact
        elif span not in fact.spans:
            fact.spans.append(span)
        return fact

    @cached_property
    def credits(self) -> list[splitting.Credit]:
        """The bylines and agencies the page prints, names in simplified characters (none if it cannot be cut)."""
        try:
            pieces = splitting.split_page(self.text)
        except ValueError:
            return []
        found = [credit for piece in pieces for credit in piece.credits]
        for credit in found:
            credit.name = splitting.simplified(credit.name)
        return found


def _place_key(m: Mention) -> str:
    if m.place is not None:
        return m.place.code
    if m.candidates:
        return "?" + "|".join(p.code for p in m.candidates)
    parent = m.parent.code if m.parent else (_place_key(m.parent_mention) if m.parent_mention else "")
    return f"{parent}/{m.name}"


def _place_payload(m: Mention) -> dict:
    if m.place is not None:
        return {"code": m.place.code, "name": m.place.name, "level": m.place.level}
    if m.candidates:
        # Ambiguous: the reviewer picks one of these codes; nothing is chosen for them.
        return {
            "name": m.name,
            "level": m.level,
            "candidates": [{"code": p.code, "name": p.name} for p in m.candidates],
        }
    payload = {"name": m.name, "level": m.level, "new": True}
    if m.parent is not None:
        payload["parent_code"] = m.parent.code
        payload["parent_name"] = m.parent.name
    elif m.parent_mention is not None:
        payload["parent_key"] = _place_key(m.parent_mention)
        payload["parent_name"] = m.parent_mention.name
    return payload


def extract(text: str, *, publication: datetime.date | None = None, themes: list[Theme] | None = None) -> list[Fact]:
    """Every candidate fact in ``text``, of every type in ``cases.extraction.facts.FACT_TYPES``."""
    # The table names this module's proposers, so it is read when called, not when imported.
    from cases.extraction.facts import FACT_TYPES

    reading = Reading(text, publication=publication, themes=themes)
    for kind in FACT_TYPES.values():
        kind.propose(reading)
    chrome = reading.chrome
    facts = []
    for fact in reading.facts.values():
        # Page furniture (breadcrumbs, page labels, 责任编辑 …) proposes nothing.
        if fact.payload.get("credit_role") != "source":  # a 来源 line is furniture, its outlet is not
            fact.spans = [
                s for s in fact.spans if s in reading.from_furniture or not any(a <= s[0] < b for a, b in chrome)
            ]
        if fact.spans:
            facts.append(fact)
    return sorted(facts, key=lambda f: (f.start, f.fact_type))


def propose_localities(reading: Reading) -> None:
    """Gazetteer places, villages and new places, less those printed only to qualify another."""
    chrome = [
        (reading.view.offsets.index(a), reading.view.offsets.index(a) + (b - a))
        for a, b in reading.chrome
        if a in reading.view.offsets
    ]
    only_qualifying = _only_qualifying(
        reading.work, reading.known, reading.orgs, chrome
    )  # once: every place × every body
    for m in reading.places:
        if m.place is not None and m.place.code in only_qualifying:
            continue
        label = m.place.name if m.place else f"{m.name}（新，上级 {_place_payload(m).get('parent_name', '?')}）"
        if m.candidates:
            label = f"{m.name}（{len(m.candidates)} 处同名，待选）"
        confidence = m.confidence if m.confidence is not None else (0.9 if m.place else 0.7)
        reading.add(FactType.LOCALITY, _place_key(m), label, _place_payload(m), m.start, m.end, confidence)


def propose_organisations(reading: Reading) -> None:
    """Bodies the rules find (short forms merged into one), agencies of the bylines, the 来源 outlet."""
    for org in reading.orgs:
        key = _org_key(org.names)
        existing = next(
            (
                f
                for (t, _), f in reading.facts.items()
                if t == FactType.ORGANISATION and (org.name in f.payload["names"] or f.payload["name"] in org.names)
            ),
            None,
        )
        if existing is not None:
            key = existing.key
            existing.payload["names"] = sorted(set(existing.payload["names"]) | set(org.names), key=len, reverse=True)
        payload = {"name": org.name, "kind": org.kind, "names": list(dict.fromkeys(org.names))}
        if org.locality is not None:
            payload["locality_key"] = _place_key(org.locality)
            payload["locality_name"] = org.locality.name
        if org.parent is not None:
            payload["parent_name"] = org.parent.name
        reading.add(FactType.ORGANISATION, key, org.name, payload, org.start, org.end)
    _credits(reading, agencies=True)
    _source_bodies(reading.text, reading, reading.places)


def propose_people(reading: Reading) -> None:
    """People after their title (with the post), bylines, then the names LAC finds on its own."""
    persons = person_mentions(reading.work, reading.orgs)
    titled = {p.name for p in persons if p.title}
    for p in persons:
        if p.name not in titled:
            continue
        payload = {"name": p.name, "positions": []}
        fact = reading.add(FactType.PERSON, p.name, p.name, payload, p.start, p.end)
        if p.title:
            position = {"title": p.title}
            if p.organisation is not None:
                position["organisation"] = p.organisation.name
            if position not in fact.payload["positions"]:
                fact.payload["positions"].append(position)
    _credits(reading, agencies=False)
    _meta_people(reading)
    _statistical_people(reading.work, reading, reading.chrome, reading.places, reading.gazetteer)


def propose_metrics(reading: Reading) -> None:
    """Numbers with what they count, the indicator they map to (or suggestions) and the place before them."""
    indicators = list(Indicator.objects.all())
    places = reading.places
    coded = [(m.start, m.end) for m in places if m.place is not None]
    for metric in metric_mentions(reading.work):
        if any(a <= metric.start < b and metric.end <= b + 1 for a, b in coded):
            continue  # 开鲁五村, 五四村: a numeral inside a coded place's name counts nothing
        key = f"{metric.indicator}:{metric.value}:{metric.value_upper or ''}"
        if metric.indicator is None:
            key = f"{metric.unit}:{metric.value}:{metric.value_upper or ''}:{metric.counted}"
        value = f"{metric.value.normalize():f}"
        upper = f"{metric.value_upper.normalize():f}" if metric.value_upper is not None else None
        payload = {
            "indicator": metric.indicator,
            "value": value,
            "value_upper": upper,
            "unit": metric.unit,
            "counted": metric.counted,
            "qualifier": metric.qualifier,
            # Every metric carries suggestions (the mapped indicator first), so none reaches review bare.
            "suggested_indicators": _suggestions(metric, indicators),
        }
        near = next(
            (m for m in reversed(places) if m.end <= metric.start and (m.place is None or not m.qualifier)), None
        )
        if near is not None:
            payload["locality_key"] = _place_key(near)
        label = f"{value}{'—' + upper if upper else ''}{metric.unit}{metric.counted} → {metric.indicator or '?'}"
        reading.add(FactType.METRIC, key, label, payload, metric.start, metric.end, 0.8 if metric.indicator else 0.5)


def propose_dates(reading: Reading) -> None:
    """Dates and periods as printed, resolved against the publication date where relative (今年)."""
    for date in date_mentions(reading.work, reading.publication):
        payload = {
            "text": date.text,
            "date": date.date.isoformat() if date.date else None,
            "precision": date.precision,
            "period_kind": date.period_kind,
        }
        reading.add(FactType.DATE, date.text, date.text, payload, date.start, date.end, 0.9 if date.date else 0.6)


def propose_themes(reading: Reading) -> None:
    """Themes of the vocabulary whose name (or a part of it) the text uses; more hits, more confidence."""
    for theme, start, end, count in _themes(reading.work, reading.themes):
        reading.add(
            FactType.THEME,
            theme.code,
            theme.name_zh,
            {"code": theme.code, "hits": count},
            start,
            end,
            min(0.9, 0.3 + 0.15 * count),
        )


def _suggestions(metric, indicators: list[Indicator]) -> list[str]:
    from cases.extraction.indicators import suggest_indicators

    codes = [metric.indicator] if metric.indicator else []
    for suggestion in suggest_indicators(unit=metric.unit, counted=metric.counted, indicators=indicators):
        if suggestion.code not in codes:
            codes.append(suggestion.code)
    if not codes:
        # Nothing shares a word with what is counted: the indicators counted in the same unit.
        codes = [i.code for i in indicators if i.unit == metric.unit][:3]
    if not codes:
        # Last resort: the indicators whose names share most characters with the clause.
        clause = set(metric.clause) - set("数量的次个人单位服务员")
        ranked = sorted(indicators, key=lambda i: (-len(clause & set(i.name_zh)), i.code))
        codes = [i.code for i in ranked[:3] if clause & set(i.name_zh)] or (
            ["coverage_share"] if metric.unit == "%" else [i.code for i in ranked[:1]]
        )
    return codes[:3]


def _meta_people(reading: Reading) -> None:
    """作者：某某　编辑：某某: people a web page credits in its furniture, which no byline rule reads."""
    for credit in splitting.meta_credits(reading.text):
        if credit.start not in reading.view.offsets:
            continue
        start = reading.view.offsets.index(credit.start)
        payload = {"name": credit.name, "positions": [], "as_printed": credit.as_printed}
        if credit.role:
            payload["credit_role"] = credit.role
        fact = reading.add(FactType.PERSON, credit.name, credit.name, payload, start, start + len(credit.name), 0.85)
        reading.from_furniture.add(reading.view.span(start, start + len(credit.name)))
        fact.payload.setdefault("as_printed", credit.as_printed)


def _statistical_people(work: str, out: Reading, chrome: list[tuple[int, int]], places, gazetteer) -> None:
    """People LAC finds without a title before them (a name in a quote, a spaced name, a byline)."""
    from cases.extraction import ner
    from cases.extraction.splitting import looks_like_person_name

    for token in ner.entities(work, "PER"):
        if any(m.start < token.end and token.start < m.end for m in places):
            continue  # 王钳 in 在王钳、门头两个村: a village the gazetteer knows, not a person
        speaks = re.match(r"[\s　]*(?:说|表示|介绍|告诉|认为|坦言|笑着说)", work[token.end :])
        if token.word in gazetteer.entries and not speaks:
            continue  # 金秀 in 金秀融媒讯: a county's short form
        name = re.sub(r"[\s　]", "", token.word)
        if "·" in name:
            parts = name.split("·")
            if not all(2 <= len(part) <= 8 and all(is_han(ch) for ch in part) for part in parts):
                continue
        elif not looks_like_person_name(name) or name in NOT_NAMES:
            continue
        elif len(name) == 4 and is_ordinary_word(name):
            continue  # 陈规陋习: an idiom LAC reads as a name
        elif len(name) == 3 and is_ordinary_word(work[token.start : token.end + 1]):
            continue  # 代表大 of 代表大会: a word that goes on
        a, b = out.view.span(token.start, token.end)
        if any(x <= a < y for x, y in chrome):
            continue
        known = [span for (t, _), f in out.facts.items() if t == FactType.PERSON for span in f.spans]
        if any(x <= a and b <= y and (x, y) != (a, b) for x, y in known):
            continue  # 古丽 inside 古丽米拉·吐尔逊, found whole after its title
        fact = out.facts.get((FactType.PERSON, name))
        if fact is None:
            out.add(FactType.PERSON, name, name, {"name": name, "positions": []}, token.start, token.end, 0.75)
        elif (a, b) not in fact.spans:
            fact.spans.append((a, b))


def _only_qualifying(text: str, known: list[Mention], orgs, chrome=()) -> set[str]:
    """Codes of places printed only to qualify a more specific one (四川成都市) or as a short form
    inside organisation names (南海安和物业公司) when the text also names a place beneath them."""
    # Only short forms: 四川省住建厅 is a provincial body, 南海安和物业 a firm with a place in its brand.
    inside_org = {
        id(m)
        for m in known
        for o in orgs
        if o.start <= m.start and m.end < o.end and all(e.is_short for e in m.options if e.place.id == m.place.id)
    }
    codes = {m.place.code for m in known}
    kept = set()
    for m in known:
        if m.qualifier:
            continue
        beneath = any(code != m.place.code and code.startswith(m.place.code) for code in codes)
        if beneath and m.rank <= LEVEL_RANK[Level.COUNTY] and not _on_its_own(text, m, orgs, chrome):
            continue  # 祥周镇是田东县的…, 南宁市西乡塘区的老城区: the container of a place the text is about
        if id(m) not in inside_org or not beneath:
            kept.add(m.place.code)
    return codes - kept


def _on_its_own(text: str, m: Mention, orgs, chrome=()) -> bool:
    """A county or city named as the subject of a clause (三都是…, 包河区今年…), not inside a body's
    name nor in a page's furniture (第A3版：兴化新闻)."""
    if any(o.start <= m.start and m.end <= o.end for o in orgs):
        return False
    if any(a <= m.start < b for a, b in chrome):
        return False
    return m.start == 0 or not is_han(text[m.start - 1]) or text.endswith(("在", "全"), 0, m.start)


def _org_key(names: list[str]) -> str:
    return min(names, key=len)


def _source_bodies(text: str, out: Reading, places: list[Mention]) -> None:
    """来源：某某日报 / 来源：某某镇人民政府: the outlet or office a pasted page names in its furniture."""
    from cases.extraction.lexicon import organisations

    kinds = {item["suffix"]: item["kind"] for item in organisations()["suffixes"]}
    place_names = {m.name for m in places} | {m.place.name for m in places if m.place is not None}
    for credit in splitting.source_credits(text):
        if credit.name in place_names or credit.name.startswith("某某"):
            continue  # 信息来源：酒泉路街道 names the place, which is proposed as a place
        if re.search(r"(?:日报|晚报|早报|时报|报|网|电视台|融媒体中心|融媒|新闻中心)$", credit.name):
            kind = "media"
        else:
            kind = next((kinds[s] for s in sorted(kinds, key=len, reverse=True) if credit.name.endswith(s)), None)
        if kind is None:
            continue
        if credit.start not in out.view.offsets:
            continue
        start = out.view.offsets.index(credit.start)
        payload = {"name": credit.name, "kind": kind, "names": [credit.name], "credit_role": "source"}
        fact = out.add(
            FactType.ORGANISATION, credit.name, credit.name, payload, start, start + (credit.end - credit.start), 0.8
        )
        fact.payload.setdefault("credit_role", "source")  # the rules found it too, in the same furniture


def _credits(reading: Reading, *, agencies: bool) -> None:
    """The page's agencies (organisations) or its reporters, authors and photographers (people)."""
    for credit in reading.credits:
        if (credit.role == "agency") != agencies:
            continue
        span_start = reading.view.offsets.index(credit.start) if credit.start in reading.view.offsets else None
        if span_start is None:
            continue
        span_end = span_start + (credit.end - credit.start)
        if credit.role == "agency":
            payload = {
                "name": credit.name,
                "kind": "media",
                "names": [credit.name],
                "credit_role": "agency",
                "as_printed": credit.as_printed,
            }
            reading.add(FactType.ORGANISATION, credit.name, credit.name, payload, span_start, span_end, 0.9)
        else:
            payload = {
                "name": credit.name,
                "positions": [],
                "credit_role": credit.role,
                "as_printed": credit.as_printed,
            }
            reading.add(
                FactType.PERSON, credit.name, f"{credit.name}（{credit.role}）", payload, span_start, span_end, 0.9
            )


def _themes(text: str, themes: list[Theme] | None):
    if themes is None:
        themes = list(Theme.objects.all())
    for theme in themes:
        words = [theme.name_zh, *[w for w in theme.name_zh.replace("与", "、").split("、") if len(w) >= 2]]
        hits = [(i, word) for word in dict.fromkeys(words) for i in _find_all(text, word)]
        if hits:
            first, word = min(hits)
            yield theme, first, first + len(word), len(hits)


def _find_all(text: str, word: str):
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)
