"""Locality mentions: gazetteer places resolved by context, and new places below the township.

Resolution reads the whole text: unambiguous mentions first, then each ambiguous or abbreviated
name is scored by how many of its candidate's ancestors (or descendants) the text names, with a
bonus for an ancestor printed right before it (金牛区金泉街道). A bare county short form (沂源) is
kept only when the text also names its province, prefecture or full name.

Villages and communities (level 5) are matched by the gazetteer's second automaton and kept only
when the text names a place above them: the candidates are those under a township, county or
prefecture the text names (the deepest such level wins; one printed right before the name settles
it). One candidate left: it is the place. Several: the mention carries them all with a low
confidence and no place, so a reviewer chooses. A bare short form (东于架 for 东于架村) needs its
township in the text, or its county printed right before it, unless it is not an ordinary word.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from cases.extraction.gazetteer import ADMIN_SUFFIXES, Entry, Gazetteer, Place, is_full_village_name
from cases.extraction.lexicon import organisations
from cases.extraction.segmenter import is_ordinary_word, looks_like_name
from cases.extraction.textview import is_han
from cases.models import Level

# Suffixes of places below the township, with the level they name.
NEW_PLACE_SUFFIXES = {"社区": Level.COMMUNITY, "小区": Level.COMPOUND, "村": Level.COMMUNITY, "嘎查": Level.COMMUNITY}
# 村 followed by these is another word (村民, 村级, 村庄 …), not a village name.
_NOT_AFTER_VILLAGE = set("民级庄落寨镇里委干务规容貌情集社")
# 村 after these is a word of its own (乡村, 农村, 强村公司, 兴村), not the end of a village name.
_NOT_BEFORE_VILLAGE = set("乡农强兴")
# Descriptive words that make 老旧小区, 新建社区, 边境村 a kind of place, not a name.
_DESCRIPTIVE = (
    "老旧",
    "新建",
    "边境",
    "偏远",
    "城中",
    "安置",
    "示范",
    "试点",
    "周边",
    "毗邻",
    "相邻",
    "城郊",
    "商品房",
    "无物业",
)
_DESCRIPTIVE_START = ("辖区", "辖内", "周边", "全市", "全县", "全区", "全镇", "全乡")
# Words before a name that put it in a clause of its own: 在秀竹社区，走进花鹿坪村.
_PLACE_INTRODUCERS = ("在", "走进", "来到", "到", "为", "对")
# After a bare short form of a village, what may follow: punctuation, a list, a count, 的.
_AFTER_SHORT_FORM = set("、，。；：和与及两三等的")
# Villages listed by their bare names before a count of villages: 括苍、杭川、陇东3个村, 沈宅、岩下两村,
# 艾日格、卫境两个嘎查. Each item is a village's short form, even one that is an ordinary word.
_LISTED_VILLAGES_RE = re.compile(
    r"(?P<items>[\u4e00-\u9fff]{2,5}(?:[、和与及][\u4e00-\u9fff]{2,5})+)"
    r"(?:[两二三四五六七八九十]|\d{1,2})个?(?:行政村|村庄|村|嘎查|社区)"
)


def _listed_items(text: str) -> set[tuple[int, int]]:
    """The spans of the items of each list of villages written without 村."""
    spans = set()
    for match in _LISTED_VILLAGES_RE.finditer(text):
        position = match.start("items")
        for item in re.split(r"[、和与及]", match.group("items")):
            spans.add((position, position + len(item)))
            position += len(item) + 1
    return spans


_NEW_PLACE_RE = re.compile("|".join(sorted(NEW_PLACE_SUFFIXES, key=len, reverse=True)))
_NON_REFERRING = (
    "有的",
    "一些",
    "各",
    "每个",
    "每",
    "所有",
    "部分",
    "不少",
    "很多",
    "许多",
    "多个",
    "几个",
    "该",
    "本",
    "全",
)


@dataclass
class Mention:
    start: int
    end: int
    name: str
    place: Place | None = None  # gazetteer place, or None for a new place
    level: str = ""
    parent: Place | None = None  # for new places: the gazetteer parent
    parent_mention: Mention | None = None  # for new places under another new place
    qualifier: bool = False  # only printed to qualify the next, more specific, name
    options: tuple = field(default_factory=tuple)
    suffix: str = ""
    # Level 5 matched by the gazetteer but not settled: every candidate the context allows.
    candidates: tuple[Place, ...] = ()
    confidence: float | None = None

    @property
    def rank(self) -> int:
        from cases.extraction.gazetteer import LEVEL_RANK

        return LEVEL_RANK[self.level]


def _related(candidate: Place, resolved: list[Mention]) -> bool:
    """True when the text names an ancestor or a descendant of ``candidate`` (not just its province)."""
    return any(
        other.place is not None
        and other.place.id != candidate.id
        and (other.place.is_ancestor_of(candidate) or candidate.is_ancestor_of(other.place))
        for other in resolved
    )


def _province(resolved: list[Mention]) -> str | None:
    """The province most of the text's settled places lie in (the article's province), if one leads."""
    counts: dict[str, int] = {}
    for m in resolved:
        if m.place is not None:
            counts[m.place.code[:2]] = counts.get(m.place.code[:2], 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


# 哈尔滨6月18日电 after an outlet, or 记者 某某 佛山报道： opening a report: where the reporter filed from.
_DATELINE = re.compile(
    r"\s*[0-9０-９一二三四五六七八九十]{1,3}月[0-9０-９一二三四五六七八九十]{1,3}日\s*电|(?:报道|報道)[:：]"
)


def _is_dateline(text: str, mention: Mention) -> bool:
    """本报哈尔滨6月18日电, 新华社兰州5月14日电, 记者 某某 佛山报道: the reporter's city, not a place of the report."""
    return _DATELINE.match(text, mention.end) is not None


def _score(candidate: Place, resolved: list[Mention], mention: Mention) -> float:
    score = 0.0
    for other in resolved:
        place = other.place
        if place is None or place.id == candidate.id:
            continue
        if place.is_ancestor_of(candidate) or candidate.is_ancestor_of(place):
            score += 2
            if other.end == mention.start or other.start == mention.end:
                score += 3
        elif place.code[:2] == candidate.code[:2]:
            score += 0.5
    return score


def _settle_chains(mentions: list[Mention]) -> None:
    """呼和浩特新城区东街街道: a chain of names printed one after another settles them all together
    when exactly one reading makes each the parent of the next (settled names keep ``options`` of one)."""
    for first, second in itertools.pairwise(mentions):
        if first.end != second.start:
            continue
        pairs = {
            (a.place.id, b.place.id): (a, b)
            for a in first.options
            for b in second.options
            if a.place.is_ancestor_of(b.place) and len(b.place.code) - len(a.place.code) <= 3
        }
        if len(pairs) == 1 and (len(first.options) > 1 or len(second.options) > 1):
            a, b = next(iter(pairs.values()))
            first.options, second.options = (Entry(a.place, is_short=False),), (Entry(b.place, is_short=False),)


def gazetteer_mentions(text: str, gazetteer: Gazetteer) -> list[Mention]:
    raw = gazetteer.find(text)
    # A row named only by its suffix (a township called 街道 in the NBS data) names nothing in prose.
    mentions = [
        Mention(start, end, name, options=entries)
        for start, end, name, entries in raw
        if len(name) >= 2 and name not in ADMIN_SUFFIXES
    ]
    mentions = [m for m in mentions if not _is_dateline(text, m)]
    _settle_chains(mentions)
    resolved: list[Mention] = []
    for mention in mentions:
        places = {entry.place.id: entry.place for entry in mention.options}
        if len(places) == 1 and not all(entry.is_short for entry in mention.options):
            place = next(iter(places.values()))
            # A township named like a community (芙蓉社区) is settled by context below, not trusted alone.
            if place.level == Level.TOWNSHIP and not place.name.endswith(("街道", "镇", "乡", "苏木")):
                continue
            mention.place = place
            resolved.append(mention)
    for mention in mentions:
        if mention.place is not None:
            continue
        places = list({entry.place.id: entry.place for entry in mention.options}.values())
        scored = sorted(
            ((_score(place, resolved, mention), -place.rank, place) for place in places),
            key=lambda t: t[:2],
            reverse=True,
        )
        best_score, _, best = scored[0]
        is_short = all(entry.is_short for entry in mention.options if entry.place.id == best.id)
        tied = len(scored) > 1 and scored[1][:2] == scored[0][:2]
        if tied:
            continue
        related = _related(best, resolved)
        if is_short and best.level not in (Level.PROVINCE, Level.PREFECTURE) and (best_score < 2 or not related):
            continue  # a bare county short form needs its province, prefecture or full name nearby
        province = _province(resolved)
        if not related and province and best.code[:2] != province and best.level != Level.PROVINCE:
            continue  # 新乡 in 新乡贤 of an article about Fujian: a guess across provinces is no place
        if is_short and best.level == Level.PREFECTURE and best_score <= 0:  # noqa: SIM102
            if sum(1 for other in mentions if other.name == mention.name) < 2:
                continue  # 文山 in 文山会海: a prefecture short form named once, with nothing around it
        if best.level == Level.TOWNSHIP and best_score < 2 and not best.name.endswith(("街道", "镇", "乡", "苏木")):
            continue
        if len(places) > 1 and best_score <= 0 and best.level not in (Level.PROVINCE, Level.PREFECTURE):
            continue
        mention.place = best
    kept = [m for m in mentions if m.place is not None]
    # The places of one article cohere: one in another province with nothing of its own around it
    # is an ordinary word (老城区, 古城区 in prose) or, when not, a guess shown with low confidence.
    province = _province(kept)
    coherent = []
    for m in kept:
        m.level = m.place.level
        if province and m.place.code[:2] != province and m.level != Level.PROVINCE and not _related(m.place, kept):
            if is_ordinary_word(m.name):
                continue
            m.confidence = 0.4
        coherent.append(m)
    kept = coherent
    # A name immediately followed by one of its descendants only qualifies it (四川成都市, 山东沂源县).
    for first, second in itertools.pairwise(kept):
        if first.end == second.start and first.place.is_ancestor_of(second.place):
            first.qualifier = True
    return kept


# Depth of the context that supports a level-5 candidate: its township, county or prefecture.
_SUPPORT = ((9, Level.TOWNSHIP), (6, Level.COUNTY), (4, Level.PREFECTURE))


def village_mentions(text: str, known: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """Villages and communities of the gazetteer, resolved by the places named around them."""
    if not known:
        return []
    # A bare short form of an upper place may be the start of a village's name (大悟 in 大悟山村) or
    # the village's own short form in a list (陇东 in 括苍、杭川、陇东3个村): it yields to a village of
    # a township the text names.
    soft = [m for m in known if m.place is not None and m.options and all(e.is_short for e in m.options)]
    taken = [(m.start, m.end) for m in known if m not in soft]
    townships = {m.place.code for m in known if m.place is not None and m.place.level == Level.TOWNSHIP}
    matches = [
        (start, end, word)
        for start, end, word in gazetteer.villages.find(text)
        if not any(a < end and start < b for a, b in taken)
    ]
    if not matches:
        return []
    # Only a match that holds the whole short form may take its place (大悟山村 holds 大悟).
    matches = [
        (start, end, word)
        for start, end, word in matches
        if all(start <= m.start and m.end <= end for m in soft if m.start < end and start < m.end)
    ]
    candidates = gazetteer.villages.candidates({word for _, _, word in matches})
    yielded: list[Mention] = []
    kept_matches = []
    for start, end, word in matches:
        over = [m for m in soft if m.start < end and start < m.end]
        if not over:
            kept_matches.append((start, end, word))
            continue
        inside = all(start <= m.start and m.end <= end for m in over)
        longer = all(end - start > m.end - m.start for m in over)
        under_town = [p for p in candidates.get(word, []) if p.code[:9] in townships]
        if inside and len(under_town) == 1 and (longer or not any(m.place.code in townships for m in over)):
            kept_matches.append((start, end, word))
            yielded += over
    matches = kept_matches
    if yielded:
        known[:] = [m for m in known if m not in yielded]
    if not matches:
        return []
    context = {m.place.code: m for m in known if m.place is not None}
    listed = _listed_items(text)
    proposals: list[tuple[int, int, int, Mention]] = []
    elsewhere_words: set[str] = set()  # printed once under a town that has no such village
    for start, end, word in matches:
        places = candidates.get(word, [])
        full = is_full_village_name(word)
        support = next(
            (
                (length, level, found)
                for length, level in _SUPPORT
                if (found := [p for p in places if p.code[:length] in context])
            ),
            None,
        )
        if support is None:
            continue
        length, level, supported = support
        adjacent = [p for p in supported if context[p.code[:length]].end == start]
        if (start, end) in listed and level == Level.TOWNSHIP:
            adjacent = adjacent or supported  # 陇东 in 括苍、杭川、陇东3个村 under a named town
        if not adjacent and (not full or level != Level.TOWNSHIP) and is_ordinary_word(word):
            continue  # 和平 in 和平发展, 新村 in 和美新村, even with a county of a 和平村 in the text
        if not full and not adjacent and is_han(text[end : end + 1]) and text[end] not in _AFTER_SHORT_FORM:
            continue  # 望湖 in 望湖城小区, 九阡 in 九阡李: the name goes on, it is not this place
        before = next((m for m in known if m.end == start and m.place is not None), None)
        if level != Level.TOWNSHIP and before is not None and before.place.level == Level.TOWNSHIP:
            elsewhere_words.add(word)
            elsewhere_words.update(p.name for p in supported)
            continue  # 九阡镇拉揽村 with no 拉揽村 under 九阡镇: a new place there, not one of another town
        # Another town of the county is named and not the candidate's: a guess, shown as one.
        elsewhere = level != Level.TOWNSHIP and any(
            len(code) == 9 and code[:length] == supported[0].code[:length] for code in context
        )
        if not full and level == Level.PREFECTURE and not adjacent:
            continue
        chosen = adjacent if len(adjacent) == 1 else supported
        mention = Mention(start, end, word, level=Level.COMMUNITY)
        if len(chosen) == 1:
            mention.place = chosen[0]
            mention.options = (Entry(chosen[0], is_short=not full),)
            mention.confidence = 0.9 if (adjacent or level == Level.TOWNSHIP) and full else 0.7
            if elsewhere:
                mention.confidence = 0.5
        else:
            mention.candidates = tuple(sorted(chosen, key=lambda p: p.code))
            mention.confidence = 0.3
        # Longer words first, then the settled ones: 河北郭庄村 beats 郭庄 inside it.
        proposals.append((-(end - start), 0 if mention.place else 1, start, mention))
    kept: list[Mention] = []
    for _, _, _, mention in sorted(proposals, key=lambda t: t[:3]):
        if mention.place is not None and {mention.name, mention.place.name} & elsewhere_words:
            continue  # the other mentions of that new place
        if not any(o.start < mention.end and mention.start < o.end for o in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _scan_back(text: str, end: int, floor: int, stops: set[int]) -> int:
    """Start of a name ending at ``end``: back over Han characters to a boundary or a known place."""
    boundaries = organisations()["boundaries"]
    i = end
    while i > floor:
        if i in stops:
            break
        ch = text[i - 1]
        if not is_han(ch):
            break
        if any(text.startswith(word, i - len(word)) for word in boundaries):
            break
        i -= 1
    return i


def new_place_mentions(text: str, known: list[Mention]) -> list[Mention]:
    """Communities, villages and compounds named in the text, with their parents where the text shows them."""
    generic = set(organisations()["generic_words"])
    inside = [(m.start, m.end) for m in known]
    ends = {m.end for m in known}
    found: list[Mention] = []
    for match in _NEW_PLACE_RE.finditer(text):
        suffix_start, end = match.start(), match.end()
        if any(a <= suffix_start < b for a, b in inside):
            continue
        suffix = match.group()
        if suffix == "村" and (
            text[end : end + 1] in _NOT_AFTER_VILLAGE or text[suffix_start - 1 : suffix_start] in _NOT_BEFORE_VILLAGE
        ):
            continue
        doubled = text[end : end + 1] == "村" or text[suffix_start - 1 : suffix_start] == "村"
        if (
            suffix == "村"
            and doubled
            and text[end : end + 1] not in ("委", "民")
            and text[end + 1 : end + 2] not in ("委", "民")
        ):
            continue  # 壶镇村村抱团: 村村 is "every village" (but 某某村村委会, 某某村村民 name one)
        stops = ends | {m.end for m in found}
        start = _scan_back(text, suffix_start, max(0, suffix_start - 10), stops)
        stem = text[start:suffix_start]
        if len(stem) < 2 or stem in generic or any(stem.startswith(w) for w in _NON_REFERRING):
            continue
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] in "一二三四五六七八九十两几"):
            continue
        if re.search(r"[个条名所座处和与及的了在是为有]", stem):
            continue
        if stem.endswith(_DESCRIPTIVE) or stem.startswith(_DESCRIPTIVE_START):
            continue
        found.append(Mention(start, end, text[start:end], level=NEW_PLACE_SUFFIXES[suffix], suffix=suffix))
    # Keep a name that is confirmed: printed right after a place, at a clause start, or more than once.
    counts: dict[str, int] = {}
    for m in found:
        counts[m.name] = counts.get(m.name, 0) + 1
    confirmed = []
    for m in found:
        after_place = m.start in ends or any(o.end == m.start for o in confirmed)
        at_clause = (
            m.start == 0
            or not is_han(text[m.start - 1])
            or (len(m.name) <= 6 and any(text.endswith(w, 0, m.start) for w in _PLACE_INTRODUCERS))
        )
        stem = m.name[: -len(m.suffix)]
        # Even right after a place, a verb makes it a phrase: 街道党工委出台住宅小区.
        if (after_place and (len(stem) <= 4 or looks_like_name(stem))) or (
            (at_clause or counts[m.name] > 1) and len(m.name) <= 9 and looks_like_name(stem)
        ):
            confirmed.append(m)
    names = {m.name for m in confirmed}
    # Find the other mentions of confirmed names, wherever they stand.
    result = list(confirmed)
    seen = {(m.start, m.end) for m in confirmed}
    for name in names:
        for match in re.finditer(re.escape(name), text):
            if (match.start(), match.end()) not in seen and not any(
                a < match.end() and match.start() < b for a, b in inside
            ):
                result.append(
                    Mention(match.start(), match.end(), name, level=next(m.level for m in confirmed if m.name == name))
                )
                seen.add((match.start(), match.end()))
    result.sort(key=lambda m: m.start)
    return result


def assign_parents(new: list[Mention], known: list[Mention]) -> None:
    """The parent of a new place: the place printed right before it, else the nearest township (or community)."""
    everything = sorted(known + new, key=lambda m: m.start)
    by_name: dict[str, Mention] = {}
    for m in everything:
        if m.place is not None:
            continue
        before = next((o for o in reversed(everything) if o.end == m.start), None)
        if before is not None and before.rank < m.rank:
            if before.place is not None:
                m.parent = before.place
            else:
                m.parent_mention = before
        if m.parent is None and m.parent_mention is None and m.name in by_name:
            first = by_name[m.name]
            m.parent, m.parent_mention = first.parent, first.parent_mention
        by_name.setdefault(m.name, m)
    # Names whose first mention had no parent: take any later mention's, else the nearest fitting place.
    groups: dict[str, list[Mention]] = {}
    for m in new:
        groups.setdefault(m.name, []).append(m)
    for name, mentions in groups.items():
        with_parent = next((m for m in mentions if m.parent or m.parent_mention), None)
        if with_parent is None:
            wanted = Level.COMMUNITY if mentions[0].level == Level.COMPOUND else Level.TOWNSHIP
            pool = [o for o in everything if o.level == wanted and o.name != name]
            if not pool and wanted == Level.TOWNSHIP:
                pool = [o for o in everything if o.level == Level.COUNTY]
            if pool:
                nearest = min(pool, key=lambda o: min(abs(o.start - m.start) for m in mentions))
                for m in mentions:
                    if nearest.place is not None:
                        m.parent = nearest.place
                    else:
                        m.parent_mention = nearest
            continue
        for m in mentions:
            m.parent, m.parent_mention = with_parent.parent, with_parent.parent_mention


def settle_committee_names(new: list[Mention]) -> None:
    """A new 某某社区 under a township where the gazetteer has 某某居委会: that committee's place.

    NBS names many towns' and cities' residents' committees 某某居委会 (西关居委会, 程关东居委会) and
    papers write them 某某社区; the short form alone (西关) is ambiguous, so the gazetteer match
    misses them. Only an exact stem under the printed township is taken, and only when it is the
    one such committee there.
    """
    from django.db.models import Q

    from cases.models import Locality, LocalityAlias

    wanted = [m for m in new if m.place is None and m.name.endswith("社区") and m.parent is not None]
    wanted = [m for m in wanted if m.parent.level == Level.TOWNSHIP and len(m.name) > 3]
    for m in wanted:
        stem = m.name[: -len("社区")]
        children = Locality.objects.filter(parent_id=m.parent.id, level=Level.COMMUNITY, code__isnull=False)
        by_alias = LocalityAlias.objects.filter(locality__in=children, name=stem).values_list("locality_id", flat=True)
        rows = list(
            children.filter(Q(name__in=(f"{stem}居委会", f"{stem}社区居委会")) | Q(pk__in=by_alias)).values_list(
                "id", "code", "name", "level", "parent_id"
            )
        )
        if len(rows) == 1:
            m.place = Place(*rows[0])
            m.level = Level.COMMUNITY
            m.parent = None
            m.confidence = 0.8
