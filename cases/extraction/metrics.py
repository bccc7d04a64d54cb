"""Metrics in a text: a number, its measure word and what is counted, mapped to an indicator.

The number may be Arabic or Chinese (三个, 两千余户, 十余人), carry a qualifier before (约, 近,
超过) or after (余, 多, 以上), be a range (6—8个, 3至5个), a share in 成 (三成 → 30%) or money
in 万元 (kept in 万元, as the indicator counts it). What is counted is the noun phrase right after
the measure word, else the one before the number (收集居民诉求1300余件), trimmed at the last verb;
a number in an enumeration with nothing of its own (居民两千余户、近5000人) shares its neighbour's.
The indicator rules in ``data/metrics.yaml`` read what is counted and the clause around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cases.extraction.lexicon import metrics
from cases.extraction.numbers import CN_NUM, NUM, RANGE_SEP, parse_number
from cases.extraction.textview import is_han

_MULTIPLIERS = {"万": Decimal(10000), "亿": Decimal(100000000)}
_BARE = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CLAUSE_END = re.compile(r"[。；;,，!！?？：:\n]")
# Tokens that end a noun phrase: verbs, adverbs, prepositions, conjunctions, particles, pronouns,
# numerals, measure words, time and direction words (jieba's tags).
# jieba tags measure-like nouns (片段, 服务点) as numerals and 村 as "zg", so those do not end one.
_NOT_NOUN = ("d", "p", "c", "u", "r", "t", "f", "ad", "y", "e")
# Linking words between what is counted and the number (种植面积达到1200亩, 约占总人口的65%).
_LINKS = (
    *("达到", "达", "为", "占", "约占", "是", "有", "共有", "已有", "已达", "现有", "到", "至", "的", "了", "从", "由"),
    *("提升", "提高", "增加", "增长", "上升", "下降", "降低", "减少", "分别", "累计", "共计"),
)
_COUNTED_MAX = 8


@dataclass
class MetricMention:
    start: int
    end: int
    value: Decimal
    value_upper: Decimal | None
    unit: str
    counted: str
    qualifier: str
    clause: str
    indicator: str | None = None


def _metric_regex() -> re.Pattern:
    config = metrics()
    units = sorted(config["measure_words"], key=len, reverse=True)
    prefixes = sorted([*config["prefix_qualifiers"], "上"], key=len, reverse=True)
    return re.compile(
        rf"(?P<prefix>{'|'.join(prefixes)})?(?P<num>{NUM}|半)(?:(?:{RANGE_SEP})(?P<num2>{NUM}))?"
        rf"(?P<q1>余|多)?(?P<mult>[万亿](?!元))?(?P<q2>余|多)?(?P<unit>{'|'.join(re.escape(u) for u in units)}|成)"
        rf"(?P<q3>以上|以下|左右)?"
        rf"|(?P<bare>[万千百])(?P<bare_unit>亩)"
    )


_metric_re: re.Pattern | None = None


def _tokens(text: str) -> list[tuple[str, str]]:
    from cases.extraction.segmenter import posseg

    return [(w.word, w.flag) for w in posseg().cut(text)] if text else []


def _is_noun(flag: str) -> bool:
    return flag != "v" and not flag.startswith(_NOT_NOUN)


def counted_after(text: str, position: int) -> str:
    """The noun phrase right after a measure word: 18个小区 → 小区; 10人吸纳进议事会 → nothing."""
    rest = text[position : position + 12]
    rest = rest[: next((i for i, ch in enumerate(rest) if not is_han(ch) and ch not in '“”"'), len(rest))]
    rest = rest.replace("“", "").replace("”", "").replace('"', "")
    words = []
    # A noun jieba cuts apart (嘎查 → 嘎/查) is read whole.
    whole = next((noun for noun in metrics().get("whole_nouns", ()) if rest.startswith(noun)), None)
    if rest in metrics().get("alone_nouns", ()):
        return rest  # 开了五十多次会。: 会 alone before punctuation is the meeting, not "can"
    if whole:
        words.append(whole)
        rest = rest[len(whole) :]
    for word, flag in _tokens(rest):
        if not _is_noun(flag) or word in ("和", "与", "及", "等"):
            break
        if words and len("".join(words)) + len(word) > _COUNTED_MAX:
            break
        words.append(word)
    return "".join(words)


# Measure words of time, after which 半 dates an event (公司成立半年) rather than measures anything.
_DURATIONS = ("年", "月", "个月", "周", "天")


def counted_before(text: str, position: int, floor: int) -> str:
    """The noun phrase before a number, after the last verb: 共受理群众诉求1.2万件 → 群众诉求; a short
    bracket goes with the noun before it (覆盖村（社区）57个 → 村（社区）)."""
    bracket = re.search(r"[（(][\u4e00-\u9fff]{1,4}[）)]$", text[max(floor, position - 6) : position])
    if bracket is not None and position - len(bracket.group()) > floor:
        noun = counted_before(text, position - len(bracket.group()), floor)
        return noun + bracket.group() if noun else ""
    i = position
    while i > max(floor, position - 20) and (is_han(text[i - 1]) or text[i - 1] in '“”"'):
        i -= 1
    words = _tokens(text[i:position].replace("“", "").replace("”", "").replace('"', ""))
    while words and (words[-1][0] in _LINKS or words[-1][1].startswith(("u", "d", "p"))):
        words.pop()
    if len(words) > 1 and words[-1][0] in ("率", "度", "量", "额"):
        # 解决/率, 满意/度: a rate or degree is a noun with the word before it.
        words[-2:] = [(words[-2][0] + words[-1][0], "n")]
    # The last word may be tagged a verb and still be the noun (收集居民诉求: 诉求).
    cut = max((k + 1 for k, (_, flag) in enumerate(words[:-1]) if not _is_noun(flag)), default=0)
    phrase = words[cut:]
    while phrase and len("".join(w for w, _ in phrase)) > _COUNTED_MAX:
        phrase = phrase[1:]
    return "".join(w for w, _ in phrase)


def _indicator(unit: str, counted: str, clause: str) -> str | None:
    whole = next((noun for noun in metrics().get("whole_nouns", ()) if counted.startswith(noun)), None)
    head = whole or (_tokens(counted)[0][0] if counted else "")
    for rule in metrics()["indicators"]:
        if "units" in rule and unit not in rule["units"]:
            continue
        if unit in rule.get("exclude_units", ()):
            continue
        if unit == "%" and "units" not in rule:
            continue  # a share (业委会组建率80%) is not a count of what it is a share of
        if "heads" in rule and head not in rule["heads"]:
            continue
        if "counted" in rule and not any(word in counted for word in rule["counted"]):
            continue
        if any(word in counted for word in rule.get("exclude", ())):
            continue
        keywords = rule.get("keywords")
        if keywords and not any(word in counted for word in keywords):  # noqa: SIM102
            if not (rule.get("in_clause") and any(word in clause for word in keywords)):
                continue
        context = rule.get("context")
        if context and not any(word in clause for word in context):
            continue
        return rule["indicator"]
    return None


def _value(match: re.Match) -> tuple[Decimal, Decimal | None, str, str] | None:
    """(value, upper, unit, qualifier) of a match, or None when the match is a word, not a count."""
    config = metrics()
    if match.group("bare"):
        value = Decimal(_BARE[match.group("bare")])
        return value, None, match.group("bare_unit"), "approximately"
    raw, prefix = match.group("num"), match.group("prefix") or ""
    unit = {"个小时": "小时", "个月": "月"}.get(match.group("unit"), match.group("unit"))
    value = Decimal("0.5") if raw == "半" else parse_number(raw)
    # 两三万元, 三四十人: two neighbouring digits are a range (two or three, thirty or forty).
    pair = re.fullmatch(r"(?P<a>[一两二三四五六七八])(?P<b>[二三四五六七八九])(?P<tens>十|百|千)?", raw)
    pair_upper = None
    if pair and parse_number(pair.group("b")) == parse_number(pair.group("a")) + 1:
        scale = parse_number("一" + pair.group("tens")) if pair.group("tens") else Decimal(1)
        value, pair_upper = parse_number(pair.group("a")) * scale, parse_number(pair.group("b")) * scale
    if value is None:
        return None
    more = bool(match.group("q1") or match.group("q2"))
    if raw == "半" and unit not in ("小时", "天", "年", "个"):
        return None
    # A lone 一 (一道, 一系列, 一个个) is a word, not a count.
    if raw in ("一", "二") and not match.group("num2"):
        return None
    # A bare 十/百/千 without a qualifier is a word: 千家万户, 百姓; 近百名, 上百公里, 十余人 are counts.
    if raw in _BARE and not (prefix or more):
        return None
    if prefix == "上" and raw not in _BARE:
        return None
    if unit == "月":
        return None
    if unit == "年" and (value >= 100 or len(raw) >= 3 or match.group("num2")):
        return None  # 2020年 is a date; 3年, 30多年 are durations
    if unit in ("天", "周", "岁") and (value >= 100 or not raw.isdigit() or match.group("q3")):
        return None  # 60岁以上: an age limit, not a count
    upper = parse_number(match.group("num2")) if match.group("num2") else pair_upper
    multiplier = _MULTIPLIERS.get(match.group("mult") or "", Decimal(1))
    if unit in ("元",) and multiplier != 1:
        # 86.5万元, 4万多元: money is counted in 万元 (亿元), as printed.
        unit, multiplier = match.group("mult") + unit, Decimal(1)
    if unit == "成":
        if len(raw) > 1 and not raw.isdigit():
            return None  # 三五成群
        unit, multiplier = "%", Decimal(10)
    value *= multiplier
    if upper is not None:
        upper *= multiplier
        if upper < value:
            return None
    qualifier = config["prefix_qualifiers"].get(prefix, "approximately" if prefix == "上" else "exact")
    if more:
        qualifier = "more_than"
    qualifier = {"以上": "at_least", "以下": "at_most", "左右": "approximately"}.get(match.group("q3"), qualifier)
    return value, upper, unit, qualifier


def _in_slogan(text: str, start: int, end: int) -> bool:
    """“三类监督”, “五道防线”, "251"计划: a number that opens a short quoted slogan is no count."""
    before = text[max(0, start - 1) : start]
    if before not in ("“", '"', "「"):
        return False
    close = re.search(r"[”\"」]", text[end : end + 10])
    return close is not None and not re.search(r"[，。,；]", text[end : end + close.start()])


# Measure words that are themselves the noun counted (两村, 三村).
_NOUN_UNITS = ("村",)


def _is_whole_noun(phrase: str) -> bool:
    return phrase.startswith(tuple(metrics().get("whole_nouns", ()))) or phrase in metrics().get("alone_nouns", ())


def _is_verb(phrase: str) -> bool:
    """True when LAC reads ``phrase`` as verbs only (办结, 推动): no noun to count."""
    from cases.extraction import ner

    if _is_whole_noun(phrase):
        return False
    tokens = ner.tokens(phrase)
    return bool(tokens) and all(t.tag in ("v", "vd", "ad", "d") for t in tokens)


def _starts_with_verb(phrase: str) -> bool:
    from cases.extraction import ner

    if _is_whole_noun(phrase):
        return False
    tokens = ner.tokens(phrase)
    return bool(tokens) and tokens[0].tag in ("v", "vd")


def _noun_after(text: str, position: int) -> str:
    """What is counted after the measure word; past a verb phrase to the noun after 的
    (18对闹矛盾的夫妻 → 夫妻)."""
    counted = counted_after(text, position)
    if counted and not _starts_with_verb(counted):
        return counted
    rest = text[position : position + 10]
    at = rest.find("的")
    if at > 0 and not re.search(r"[，。、；,]", rest[:at]):
        after = counted_after(text, position + at + 1)
        if after and not _starts_with_verb(after):
            return after
    return ""


def _clause(text: str, start: int, end: int) -> tuple[int, str]:
    """Where the clause around a number starts, and its text."""
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, max(0, start - 60), start)), default=0)
    clause_end = _CLAUSE_END.search(text, end)
    return clause_start, text[clause_start : clause_end.start() if clause_end else end + 30]


# A share written as a fraction: 三分之二, 2/3 (not a date such as 2024/06/01 or a path).
_FRACTION_RE = re.compile(rf"(?P<den>{NUM})分之(?P<num>{NUM})|(?<![\d/.])(?P<n>\d{{1,2}})/(?P<d>\d{{1,2}})(?![\d/])")


def _fractions(text: str) -> list[MetricMention]:
    """Shares printed as fractions, in per cent rounded to two places (三分之二 → 66.67)."""
    found = []
    for match in _FRACTION_RE.finditer(text):
        if match.group("den"):
            numerator, denominator = parse_number(match.group("num")), parse_number(match.group("den"))
        else:
            numerator, denominator = Decimal(match.group("n")), Decimal(match.group("d"))
        if not numerator or not denominator or numerator >= denominator:
            continue
        value = (numerator * 100 / denominator).quantize(Decimal("0.01")).normalize()
        qualifier = "at_least" if text.startswith("以上", match.end()) else "exact"
        _, clause = _clause(text, match.start(), match.end())
        found.append(MetricMention(match.start(), match.end(), value, None, "%", "比例", qualifier, clause, None))
    return found


def metric_mentions(text: str) -> list[MetricMention]:
    """Every metric in ``text`` with its span (number through what is counted)."""
    global _metric_re
    if _metric_re is None:
        _metric_re = _metric_regex()
    ordinals = metrics()["ordinal_prefixes"]
    found: list[MetricMention] = []
    for match in _metric_re.finditer(text):
        start = match.start()
        if any(text.startswith(word, start - len(word)) for word in ordinals):
            continue
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            continue
        if match.group("unit") == "成" and start > 0 and re.fullmatch(CN_NUM, text[start - 1]):
            continue
        if _in_slogan(text, start, match.end()) and match.group("unit") != "分钟":
            continue  # “三类监督”; but “15分钟生活圈” measures a radius
        if match.group("unit") == "年" and re.match(r"[级代度底初前后里中内来]", text[match.end() : match.end() + 1]):
            continue
        if match.group("num") == "半" and match.group("unit") in _DURATIONS:
            continue  # 成立半年: when something happened, not how long a service has run (坚持30多年)
        if match.group("unit") in ("届", "次") and re.match(CN_NUM + "中全会", text[match.end() : match.end() + 6]):
            continue  # 二十届三中全会: an ordinal
        parsed = _value(match)
        if parsed is None:
            continue
        value, upper, unit, qualifier = parsed
        end = match.end()
        clause_start, clause = _clause(text, start, end)
        # 两村: the measure word is what is counted.
        noun_unit = match.group("unit") in _NOUN_UNITS
        counted = match.group("unit") if noun_unit else _noun_after(text, end)
        span_end = end + len(counted) if text.startswith(counted, end) and counted else end
        if match.group("unit") in _NOUN_UNITS:
            span_end = end
        if counted and _is_verb(counted):
            counted = ""
        if not counted:
            previous = found[-1] if found else None
            floor = max(clause_start, previous.end if previous else 0)
            counted = counted_before(text, start, floor)
            same_sentence = previous is not None and not re.search(r"[。！？\n]", text[previous.end : start])
            if not counted and previous is not None and previous.end >= clause_start:
                counted = previous.counted  # 居民两千余户、近5000人: the enumeration's noun
            elif (not counted or _is_verb(counted)) and same_sentence and previous.unit == match.group("unit"):
                counted = previous.counted  # 收集意见建议136条，已办结124条: a verb counts nothing
        if unit == "%":
            counted = counted or "比例"
        found.append(
            MetricMention(
                start, span_end, value, upper, unit, counted, qualifier, clause, _indicator(unit, counted, clause)
            )
        )
    taken = [(m.start, m.end) for m in found]
    found += [f for f in _fractions(text) if not any(a < f.end and f.start < b for a, b in taken)]
    found.sort(key=lambda m: m.start)
    return _merge_ranges(text, found)


def _merge_ranges(text: str, found: list[MetricMention]) -> list[MetricMention]:
    """短的半小时,长的达3个小时 → one range 0.5—3."""
    merged: list[MetricMention] = []
    for metric in found:
        if merged:
            previous = merged[-1]
            between = text[previous.end : metric.start]
            lead = text[max(0, previous.start - 3) : previous.start]
            if (
                previous.unit == metric.unit
                and re.fullmatch(r"[,，、]?(长的|多的|多则|最长|最多|大的)(达|为|有)?", between)
                and re.search(r"(短的|少的|少则|最短|最少|小的)$", lead)
            ):
                previous.value_upper = metric.value
                previous.end = metric.end
                continue
        merged.append(metric)
    return merged
