"""Metrics (number + measure word + what is counted) and dates in a text."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from cases.ingest.lexicon import dates, metrics
from cases.ingest.textview import is_han

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MULTIPLIERS = {"万": Decimal(10000), "亿": Decimal(100000000)}
CN_NUM = "[零〇一二两三四五六七八九十百千]+"
NUM = rf"(?:\d+(?:\.\d+)?|{CN_NUM})"
RANGE_SEP = "—|－|-|~|～|至|到"


def chinese_number(text: str) -> Decimal | None:
    """三 → 3, 十二 → 12, 二十 → 20, 三百五十 → 350; None for anything else."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            total += (current or 1) * _UNITS[ch]
            current = 0
    return Decimal(total + current)


def parse_number(text: str) -> Decimal | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    return chinese_number(text)


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
    prefixes = sorted(config["prefix_qualifiers"], key=len, reverse=True)
    return re.compile(
        rf"(?P<prefix>{'|'.join(prefixes)})?(?P<num>{NUM}|半)(?:(?:{RANGE_SEP})(?P<num2>{NUM}))?"
        rf"(?P<q1>余|多)?(?P<mult>[万亿])?(?P<q2>余|多)?(?P<unit>{'|'.join(re.escape(u) for u in units)})"
        rf"|(?P<bare>[万千百])(?P<bare_unit>亩)"
    )


_metric_re: re.Pattern | None = None
_COUNTED_STOP = re.compile(r"[^\u4e00-\u9fff“”\"]|和|与|及|为|的|是|在|成立|建立|加入|联合|直接|共|已|等|中|里|上")
_BACK_STOP = ("提供", "建设", "建成", "成立", "服务", "收集", "开展", "举办", "累计", "设立")


def _counted_after(text: str, position: int) -> str:
    rest = text[position : position + 16]
    stop = _COUNTED_STOP.search(rest)
    return rest[: stop.start()] if stop else rest


def _counted_before(text: str, position: int) -> str:
    boundaries = _BACK_STOP
    i = position
    while i > max(0, position - 20):
        ch = text[i - 1]
        if ch in '”“"':
            i -= 1
            continue
        if not is_han(ch) or any(text.startswith(w, i - len(w)) for w in boundaries):
            break
        i -= 1
    return text[i:position]


def _indicator(unit: str, counted: str, clause: str) -> str | None:
    for rule in metrics()["indicators"]:
        if "units" in rule and unit not in rule["units"]:
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


def metric_mentions(text: str) -> list[MetricMention]:
    global _metric_re
    if _metric_re is None:
        _metric_re = _metric_regex()
    config = metrics()
    ordinals = config["ordinal_prefixes"]
    found: list[MetricMention] = []
    for match in _metric_re.finditer(text):
        start = match.start()
        if any(text.startswith(word, start - len(word)) for word in ordinals):
            continue
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            continue
        if match.group("bare"):
            value = Decimal({"万": 10000, "千": 1000, "百": 100}[match.group("bare")])
            unit, qualifier, upper = match.group("bare_unit"), "approximately", None
            raw = match.group("bare")
        else:
            raw = match.group("num")
            unit = {"个小时": "小时", "个月": "月"}.get(match.group("unit"), match.group("unit"))
            value = Decimal("0.5") if raw == "半" else parse_number(raw)
            if value is None:
                continue
            if raw == "半" and unit not in ("小时", "天", "年", "个"):
                continue
            # A lone 一 (一道, 一系列, 一个个) is a word, not a count; 年 after a four-digit number is a date.
            if raw in ("一", "二") and not match.group("num2"):
                continue
            if re.fullmatch(CN_NUM, raw) and text[match.end() : match.end() + 2] in ("代表", "维护", "确立"):
                continue  # 三个代表, 两个维护: slogans, not counts
            if unit in ("年", "月", "天", "周", "岁") and (value >= 100 or not raw.isdigit()):
                continue
            if unit == "年" or unit == "月":
                continue
            upper = parse_number(match.group("num2")) if match.group("num2") else None
            multiplier = _MULTIPLIERS.get(match.group("mult") or "", Decimal(1))
            value *= multiplier
            if upper is not None:
                upper *= multiplier
                if upper < value:
                    continue
            qualifier = config["prefix_qualifiers"].get(match.group("prefix") or "", "exact")
            if match.group("q1") or match.group("q2"):
                qualifier = "more_than"
        end = match.end()
        counted = _counted_after(text, end)
        clause_end = re.search(r"[。；;,，!！?？\n]", text[end:])
        clause = text[end : end + clause_end.start()] if clause_end else text[end : end + 30]
        metric_start = start
        if not counted:
            counted = _counted_before(text, start)
        if unit == "%":
            counted = counted or "比例"
        indicator = _indicator(unit, counted, clause)
        found.append(
            MetricMention(
                metric_start,
                end + (len(counted) if text.startswith(counted, end) else 0),
                value,
                upper,
                unit,
                counted,
                qualifier,
                clause,
                indicator,
            )
        )
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


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    date: datetime.date | None
    precision: str  # unknown | year | month | day
    period_kind: str  # since | as_of | during | unknown


_DATE_RE = re.compile(
    r"(?P<year>\d{4})年(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?(?P<period>以来|至今|期间|底|初|前|后)?"
    r"|(?P<rel>今年|去年|前年|明年|当年)(?:(?P<rmonth>\d{1,2})月(?:(?P<rday>\d{1,2})日)?)?(?P<rperiod>以来|至今|期间|底|初)?"
    r"|(?<![\d年])(?P<month2>\d{1,2})月(?P<day2>\d{1,2})日(?P<tod>凌晨|上午|中午|下午|晚上|晚|夜)?"
    r"|(?P<vague>截至目前|近些年来|近年来|近日|日前)"
)


def date_mentions(text: str, publication: datetime.date | None = None) -> list[DateMention]:
    """Dates and periods, resolved against ``publication`` when it is known and left relative otherwise."""
    config = dates()
    found = []
    for match in _DATE_RE.finditer(text):
        printed = match.group()
        period = match.group("period") or match.group("rperiod") or ""
        kind = config["period_words"].get(period, "unknown")
        date, precision = None, "unknown"
        try:
            if match.group("year"):
                year = int(match.group("year"))
                month, day = match.group("month"), match.group("day")
                date = datetime.date(year, int(month or 1), int(day or 1))
                precision = "day" if day else "month" if month else "year"
            elif match.group("rel") and publication is not None:
                year = publication.year + config["relative_years"][match.group("rel")]
                month, day = match.group("rmonth"), match.group("rday")
                date = datetime.date(year, int(month or 1), int(day or 1))
                precision = "day" if day else "month" if month else "year"
            elif match.group("month2") and publication is not None:
                date = datetime.date(publication.year, int(match.group("month2")), int(match.group("day2")))
                precision = "day"
        except ValueError:
            continue  # 2月30日: printed, but not a date
        if match.group("vague") == "截至目前":
            kind = "as_of"
        found.append(DateMention(match.start(), match.end(), printed, date, precision, kind))
    return found
