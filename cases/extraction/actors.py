"""Organisations in a text, by suffix (people are in ``cases.extraction.people``).

An organisation name is read backwards from a suffix in ``data/organisations.yaml`` to a
boundary (punctuation, a verb or preposition from the boundary list), stepping over place names
and short quoted names. A name that only gives a level (社区党委, 村党支部) refers to the nearest
place of that level printed before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ahocorasick

from cases.extraction.lexicon import central_bodies, organisations
from cases.extraction.places import Mention
from cases.extraction.textview import is_han
from cases.models import Level

PARTY_KINDS = {"party_committee", "party_working_committee", "party_general_branch", "party_branch"}
FIRM_KINDS = {"enterprise", "property_firm"}
_ORDINAL_BRANCH = re.compile(r"第([一二三四五六七八九十])((?:、[一二三四五六七八九十])*)(党总支|党支部)")
_LEVEL_RANKS = {
    Level.COMPOUND: 6,
    Level.COMMUNITY: 5,
    Level.TOWNSHIP: 4,
    Level.COUNTY: 3,
    Level.PREFECTURE: 2,
    Level.PROVINCE: 1,
}


@dataclass
class OrgMention:
    start: int
    end: int
    printed: str
    name: str
    kind: str
    locality: Mention | None = None
    parent: OrgMention | None = None
    names: list[str] = field(default_factory=list)


def _automaton(words: list[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_automata: dict[str, ahocorasick.Automaton] = {}


def _get(name: str, words: list[str]) -> ahocorasick.Automaton:
    if name not in _automata:
        _automata[name] = _automaton(words)
    return _automata[name]


def _suffix_matches(text: str) -> list[tuple[int, int, str, str]]:
    kinds = {item["suffix"]: item["kind"] for item in organisations()["suffixes"]}
    automaton = _get("org_suffixes", list(kinds))
    spans = []
    for end_index, word in automaton.iter(text):
        spans.append((end_index - len(word) + 1, end_index + 1, word))
    # Drop a suffix inside a longer one (纪委 inside 纪委监委, 公司 inside 物业公司).
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if any(k[0] <= span[0] and span[1] <= k[1] and k != span for k in kept):
            continue
        kept = [k for k in kept if not (span[0] <= k[0] and k[1] <= span[1])]
        kept.append(span)
    return [(a, b, w, kinds[w]) for a, b, w in kept]


def _name_start(text: str, end: int, places: dict[int, Mention], floor: int, inner: dict[int, int]) -> int:
    boundaries = organisations()["boundaries"]
    i = end
    while i > floor:
        if i in places:
            i = places[i].start
            continue
        if i in inner:
            i = inner[i]  # step over a nested body's suffix (组织部 in 组织部党员教育中心)
            continue
        ch = text[i - 1]
        if ch in '”"':
            opening = max(text.rfind("“", floor, i - 1), text.rfind('"', floor, i - 1))
            if (
                opening >= 0
                and i - opening <= 14
                and not re.search(r"[。！？!?，,；;：:]", text[opening:i])
                and (
                    opening == 0
                    or not is_han(text[opening - 1])
                    or any(text.startswith(w, opening - len(w)) for w in boundaries)
                )
            ):
                i = opening
            break
        if not is_han(ch) and ch != "·":
            break
        if any(text.startswith(word, i - len(word)) for word in boundaries):
            break
        i -= 1
    return i


_LEVEL_COMMITTEES = {"省委", "市委", "州委", "县委", "区委", "旗委"}
# A township's stations, which a report names by their suffix alone (司法所、派出所).
_STATIONS = {"派出所", "司法所", "财政所", "卫生院", "供电所", "市场监管所", "综合文化站", "文化站", "农技站"}
# Bodies a title names by their suffix alone after another body's title (某某村党总支书记、村委会主任;
# 某某街道党工委副书记、办事处主任), with the level of the place they belong to.
_TITLED_BODIES = {
    "村委会": Level.COMMUNITY,
    "村民委员会": Level.COMMUNITY,
    "居委会": Level.COMMUNITY,
    "居民委员会": Level.COMMUNITY,
    "办事处": Level.TOWNSHIP,
}
_TITLE_AFTER = re.compile(r"(?:副?主任|副?书记|委员|副?主席)")
_VERB_TAGS = ("v", "p", "c", "d", "u", "r", "vd", "ad", "xc")


def _after_last_verb(text: str, start: int, suffix_start: int) -> int:
    """Where a name starts once the verbs, prepositions and particles LAC reads before it are cut off
    (书记进入物业公司 → 物业公司, 涵盖某某集团 → 某某集团)."""
    import bisect

    from cases.extraction import ner

    if suffix_start - start < 2:
        return start
    tokens = ner.tokens(text)
    starts = ner.token_starts(text)
    cut = start
    for token in tokens[max(0, bisect.bisect_left(starts, start)) :]:
        if token.start >= suffix_start:
            break
        if token.end <= suffix_start and token.tag in _VERB_TAGS and token.word not in _NAME_VERBS:
            cut = token.end
    return cut


# Verbs that are part of names (联合会, 服务中心, 建设集团 …) are kept.
_NAME_VERBS = {
    "服务",
    "建设",
    "发展",
    "管理",
    "联合",
    "促进",
    "调解",
    "监督",
    "监管",
    "培训",
    "治理",
    "保障",
    "救助",
    "养老",
}


def _statistical_place(text: str, before: int, level_word: str) -> str | None:
    """The last place LAC tags before ``before`` whose name ends in ``level_word`` (秀竹社区 for 社区)."""
    from cases.extraction import ner

    if level_word not in ("社区", "村", "小区"):
        return None
    best = None
    for token in ner.entities(text, "LOC"):
        if token.end > before:
            break
        name = _strip(token.word)
        if not name.endswith(level_word) and text.startswith(level_word, token.end):
            name += level_word  # LAC often tags 秀竹 | 社区 apart
        if name.endswith(level_word) and len(name) > len(level_word) + 1 and _specific_core(name[: -len(level_word)]):
            best = name
    return best


def _line_of(text: str, position: int) -> tuple[int, str]:
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    return line_start, text[line_start : line_end if line_end >= 0 else len(text)]


def _starts_with_verb(stem: str) -> bool:
    from cases.extraction.segmenter import posseg

    words = list(posseg().cut(stem))
    # Time and direction words (以前, 目前) and adverbial adjectives (明确) start no name either.
    if not words:
        return False
    first = words[0]
    return first.flag in ("v", "d", "p", "c", "r", "t", "ad") or (first.flag == "f" and len(first.word) > 1)


def _strip(name: str) -> str:
    return re.sub(r"[“”\"‘’《》\s]", "", name)


def _specific_core(stem: str) -> str:
    """What is left of a stem once generic words and suffixes are stripped from its front."""
    generic = organisations()["generic_words"]
    suffixes = [item["suffix"] for item in organisations()["suffixes"]]
    rest = _strip(stem)
    changed = True
    while rest and changed:
        changed = False
        for word in sorted(generic + suffixes, key=len, reverse=True):
            if rest.startswith(word):
                rest = rest[len(word) :]
                changed = True
                break
    return rest


def _over_conjunction(text: str, start: int, suffix_start: int, place_by_end: dict[int, Mention]) -> int:
    """安居和泰物业公司: when 和 is read into a word (和泰) or only generic words follow it, the 和
    belongs to the name, with the word before it (unless that word is itself generic: 业委会和物业公司)."""
    from cases.extraction.segmenter import posseg

    stem = text[start:suffix_start]
    if _specific_core(stem):
        # Only when jieba reads the 和 into a word (和泰) is it part of a name that says more.
        window_start = max(0, start - 5)
        position, inside_word = window_start, False
        for word in posseg().cut(text[window_start : suffix_start + 4]):
            if position <= start - 1 < position + len(word.word) and len(word.word) > 1:
                inside_word = True
            position += len(word.word)
        if not inside_word:
            return start
    earlier = _word_before(text, start - 1, place_by_end)
    if earlier == start - 1 or not _specific_core(text[earlier : start - 1]):
        return start
    return earlier


def _word_before(text: str, position: int, place_by_end: dict[int, Mention]) -> int:
    """Start of the word ending at ``position`` (with a place printed right before it)."""
    from cases.extraction.segmenter import posseg

    window = text[max(0, position - 8) : position]
    words = list(posseg().cut(window))
    start = position - len(words[-1].word) if words and all(is_han(ch) for ch in words[-1].word) else position
    if start in place_by_end:
        start = place_by_end[start].start
    return start


def _level_word(stem: str, level_words: dict[str, str]) -> tuple[int, str]:
    """(offset, level word) when ``stem`` refers to a place by its level, else (0, "").

    社区 (社区党委), 县 + a department (县民族宗教事务局), a verb + 社区 (明确社区党委).
    """
    if stem in level_words:
        return 0, stem
    from cases.extraction.segmenter import posseg

    if not all(is_han(ch) for ch in stem):
        return 0, ""
    words = list(posseg().cut(stem))
    if len(words) < 2:
        return 0, ""
    rest = stem[len(words[0].word) :]
    if words[0].word in level_words and len(rest) <= 8 and not _starts_with_verb(rest):
        return 0, words[0].word
    if words[-1].word in level_words and _starts_with_verb(words[0].word):
        return len(stem) - len(words[-1].word), words[-1].word
    return 0, ""


def organisation_mentions(text: str, places: list[Mention]) -> list[OrgMention]:
    config = organisations()
    weak = set(config["weak_suffixes"])
    place_only = set(config["place_only_suffixes"])
    level_words = config["level_words"]
    place_by_end = {m.end: m for m in places}
    place_by_start = {m.start: m for m in places}
    false_words = config.get("false_suffix_words", [])
    found: list[OrgMention] = []
    matches = _suffix_matches(text)
    inner = {b: a for a, b, _, _ in matches}
    for suffix_start, end, suffix, kind in matches:
        if suffix == "部门" and suffix_start > 0 and not is_han(text[suffix_start - 1]):
            continue
        if text[end : end + 1] == "织":
            continue  # 党组织 is the generic word, not a 党组
        start = _name_start(text, suffix_start, place_by_end, max(0, suffix_start - 24), inner)
        start = _after_last_verb(text, start, suffix_start)
        if suffix in ("局", "厅", "部", "处", "所") and text[end : end + 1] == "长":
            continue  # 副局长, 厅长: a title
        if any(text.startswith(word, end - len(word)) for word in false_words):
            continue  # 格局, 布局, 困局: a word that only ends like a body
        if suffix == "人大" and text.startswith(("代表", "常委会"), end):
            continue  # 人大代表联络站, 人大常委会: the longer body is the one named
        joined = False
        if start > 1 and text[start - 1] in "和与及" and is_han(text[start - 2]):
            joined = start != (start := _over_conjunction(text, start, suffix_start, place_by_end))
        if joined:
            start = _after_last_verb(text, start, suffix_start)  # 能与物业公司: 能 is no part of a name
        # A name never starts inside a place's name: 逢简村党委, though jieba reads 逢 as a verb.
        start = next((m.start for m in places if m.start < start < m.end), start)
        printed = text[start:end]
        stem = text[start:suffix_start]
        locality = place_by_start.get(start)
        name = _strip(printed)
        if not stem and suffix in _LEVEL_COMMITTEES and text[end : end + 1] != "会":
            # 区委常委、组织部部长: 区委 is the committee of the county named most recently.
            wanted = level_words[suffix[0]]
            referent = next((m for m in reversed(places) if m.end <= start and m.level == wanted), None)
            if referent is None:
                referent = next((m for m in places if m.level == wanted), None)
            if referent is not None:
                base = referent.name if referent.name.endswith(suffix[0]) else referent.name + suffix[0]
                full = base + "委"
                found.append(OrgMention(start, end, printed, full, kind, locality=referent, names=[full, suffix]))
            continue
        if not stem and suffix in _TITLED_BODIES and text[start - 1 : start] == "、" and _TITLE_AFTER.match(text, end):
            # 括苍村党总支书记、村委会主任: the committee of the place whose body heads the title.
            wanted = _TITLED_BODIES[suffix]
            before = next((o for o in reversed(found) if o.end <= start and o.locality is not None), None)
            referent = before.locality if before is not None and before.locality.level == wanted else None
            if referent is not None and not re.search(r"[。！？，\n]", text[before.end : start]):
                full = referent.name + suffix
                found.append(OrgMention(start, end, printed, full, kind, locality=referent, names=[full, suffix]))
            continue
        if not stem and suffix in _STATIONS:
            # 镇党委整合司法所、派出所: a township's station, named by its suffix alone.
            referent = next((m for m in reversed(places) if m.end <= start and m.level == Level.TOWNSHIP), None)
            if referent is not None:
                full = referent.name + suffix
                names = [full, suffix]
                found.append(OrgMention(start, end, printed, full, kind, locality=referent, names=names))
            continue
        if not stem or re.fullmatch(r"[、一二三四五六七八九十第]+", stem):
            continue
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] in "第"):
            continue
        if re.match(r"[一二两三四五六七八九十百千\d]+[名个位家所支]", stem):
            continue  # 一名中学校长: a count, not a name
        before = text[max(0, start - 2) : start]
        if any(before.endswith(w) for w in ("有的", "一些", "各", "每个", "所有", "部分", "个", "家")):
            continue
        level_at, level_word = _level_word(stem, level_words)
        if level_word:
            # 社区党委, 街道办事处, 县民族宗教事务局 → the place of that level named most recently before;
            # 明确社区党委 → 社区党委 (a verb is no part of the name).
            start += level_at
            wanted = level_words[level_word]
            referent = next((m for m in reversed(places) if m.end <= start and m.level == wanted), None)
            # Outside Party bodies (which a report keeps naming by level) the level word is often
            # generic (党员参加小区业委会): it must follow its place in the same paragraph, or the
            # text must name only one place of that level.
            if (
                referent is not None
                and kind not in PARTY_KINDS
                and "\n" in text[referent.end : start]
                and len({m.place.code if m.place else m.name for m in places if m.level == wanted}) > 1
            ):
                referent = None
            if referent is None:
                # A community or village the gazetteer does not know: LAC's place name before it.
                named = _statistical_place(text, start, level_word)
                if named is None:
                    continue
                short = _strip(text[start:end])
                full = named + short[len(level_word) :]
                found.append(OrgMention(start, end, text[start:end], full, kind, names=[full, short]))
                continue
            short = _strip(text[start:end])
            full = referent.name + (short[len(level_word) :] if referent.name.endswith(level_word) else short)
            names = [full, short]
            found.append(OrgMention(start, end, text[start:end], full, kind, locality=referent, names=names))
            continue
        if stem in ("公司", "企业") and kind in PARTY_KINDS:
            # 公司党支部 → the firm named most recently before it.
            firm = next((o for o in reversed(found) if o.end <= start and o.kind in FIRM_KINDS), None)
            if firm is not None:
                full = firm.name + suffix
                found.append(OrgMention(start, end, printed, full, kind, locality=firm.locality, names=[full]))
            continue
        if not _specific_core(stem):
            continue
        if locality is None and not joined and _starts_with_verb(_strip(stem)):
            continue
        if suffix in weak and locality is None and (len(_strip(stem)) < 3 or suffix in place_only):
            continue
        if len(name) > 30:
            continue
        # Step over leading place names for the short forms this body is also called by.
        names = [name]
        cut = start
        while cut in place_by_start and place_by_start[cut].end < suffix_start:
            if place_by_start[cut].end in place_by_start:
                # 浙江省杭州市西湖区西溪街道紫荆社区党委 is called by its last place: 紫荆社区党委.
                name = _strip(text[place_by_start[cut].end : end])
                names.insert(0, name)
            cut = place_by_start[cut].end
            short = _strip(text[cut:end])
            if _specific_core(text[cut:suffix_start]) and not short.startswith("委"):
                names.append(short)
        if name.endswith("集团公司"):
            names.append(name[:-2])
        inside = [m for m in places if start <= m.start and m.end <= suffix_start]
        if inside:
            locality = inside[-1]
        found.append(OrgMention(start, end, printed, name, kind, locality=locality, names=names))
    # Nested bodies: 中电建五兴物业公司党总支 lies under 中电建五兴物业公司.
    by_span = {(m.start, m.end): m for m in found}
    for m in found:
        inner = [o for o in found if o is not m and o.start >= m.start and o.end < m.end and o.end > o.start]
        if inner:
            m.parent = max(inner, key=lambda o: o.end)
            if m.locality is None:
                m.locality = m.parent.locality
    del by_span
    # 县委组织部 names the department: its committee (县委) is printed only to qualify it.
    found = [
        m
        for m in found
        if not (
            m.name.endswith(tuple(_LEVEL_COMMITTEES))
            and any(o.start == m.start and m.end < o.end <= m.end + 4 for o in found)
        )
    ]
    kept = {id(m) for m in found}
    for m in found:
        if m.parent is not None and id(m.parent) not in kept:
            m.parent = None
    found.extend(_ordinal_branches(text, places))
    found.extend(_central_bodies(text))
    found.extend(_statistical_organisations(text, places, found))
    return found


_INDUSTRY_KINDS = (("物业", "property_firm"),)
# What a brand name of a firm ends with when it has no legal suffix (金桥水泥, 华盛物业).
_INDUSTRY_WORDS = (
    *("物业", "水泥", "电气", "置业", "地产", "建设", "建工", "科技", "实业", "能源", "化工", "医药", "食品", "农业"),
    *("商贸", "物流", "电子", "机械", "纺织", "矿业", "钢铁", "汽车", "环保", "传媒", "文旅", "旅游", "酒业", "茶业"),
)


def _statistical_organisations(text: str, places: list[Mention], found: list[OrgMention]) -> list[OrgMention]:
    """Organisations LAC finds that the suffix rules do not: brand names of firms (某某水泥, 某某物业),
    bodies with a suffix the rules have no place before. A span the rules already cover, a bare
    place, a generic body (网格党支部, 大党委) and a name without a recognisable ending are dropped."""
    from cases.extraction import ner

    kinds = sorted(((item["suffix"], item["kind"]) for item in organisations()["suffixes"]), key=lambda x: -len(x[0]))
    weak = set(organisations()["weak_suffixes"])
    place_spans = {(m.start, m.end) for m in places}
    taken = [(o.start, o.end) for o in found]
    result = []
    for token in ner.entities(text, "ORG"):
        name = _strip(token.word)
        if not 3 <= len(name) <= 24 or not all(is_han(ch) or ch == "·" for ch in name):
            continue
        if (token.start, token.end) in place_spans or any(a < token.end and token.start < b for a, b in taken):
            continue
        if any(m.start <= token.start and token.end <= m.end for m in places):
            continue
        suffix, kind = next(((x, k) for x, k in kinds if name.endswith(x)), ("", ""))
        if not suffix:
            industry = next((w for w in _INDUSTRY_WORDS if name.endswith(w) and len(name) - len(w) >= 2), None)
            if industry is None:
                continue
            kind = "property_firm" if industry == "物业" else "enterprise"
        stem = name[: len(name) - len(suffix)] if suffix else name[:2]
        if not _specific_core(stem) or (suffix in weak and len(stem) < 2):
            continue
        result.append(OrgMention(token.start, token.end, token.word, name, kind, names=[name]))
        taken.append((token.start, token.end))
    return result


def _ordinal_branches(text: str, places: list[Mention]) -> list[OrgMention]:
    """第一、二党支部 → two numbered branches of the compound or community named last."""
    result = []
    for match in _ORDINAL_BRANCH.finditer(text):
        numbers = [match.group(1), *re.findall(r"[一二三四五六七八九十]", match.group(2))]
        suffix = match.group(3)
        referent = next(
            (m for m in reversed(places) if m.end <= match.start() and m.level in (Level.COMPOUND, Level.COMMUNITY)),
            None,
        )
        for number in numbers:
            short = f"第{number}{suffix}"
            names = [short] if referent is None else [referent.name + short, short]
            kind = "party_branch" if suffix == "党支部" else "party_general_branch"
            result.append(
                OrgMention(match.start(), match.end(), match.group(), names[0], kind, locality=referent, names=names)
            )
    return result


def _central_bodies(text: str) -> list[OrgMention]:
    bodies = central_bodies()
    lookup = {}
    for body in bodies:
        for alias in [body["name"], *body.get("aliases", [])]:
            lookup[alias] = body
    automaton = _get("central", list(lookup))
    result = []
    for end_index, word in automaton.iter_long(text):
        start = end_index - len(word) + 1
        boundaries = organisations()["boundaries"]
        if start > 0 and is_han(text[start - 1]) and text[start - 1] not in "、和与及同":  # noqa: SIM102
            if not any(text.startswith(w, start - len(w)) for w in boundaries):
                continue
        body = lookup[word]
        result.append(
            OrgMention(
                start, end_index + 1, word, body["name"], body["kind"], names=[body["name"], *body.get("aliases", [])]
            )
        )
    return result
