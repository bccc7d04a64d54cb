"""Chinese and Arabic numbers, and dates in a text (metrics are in ``cases.extraction.metrics``)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from cases.extraction.lexicon import dates

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
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
