"""People in a text: a title followed by a name (社区党委书记代蕊婷, 牧民阿依古丽·加帕尔).

A name is a surname and one or two more characters, ending where a following word begins (说,
介绍 …) or where jieba reads a personal name; a transliterated name joins its parts with ·. After
a weak title (村民, 居民, 党员 …) that often starts an ordinary phrase (村民代表, 居民满意度), a
dictionary word is not taken for a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cases.extraction.actors import OrgMention, _get
from cases.extraction.lexicon import COMPOUND_SURNAMES, SURNAMES, is_minority_name, people
from cases.extraction.segmenter import is_ordinary_word
from cases.extraction.textview import is_han

_DOTTED = re.compile(r"[\u4e00-\u9fff]{2,6}(?:·[\u4e00-\u9fff]{2,8})+")
# jieba's tags for ordinary words that a weak title is often followed by.
_WORD_FLAGS = ("n", "v", "vn", "ns", "nt", "nz", "a", "an", "l", "i", "j")


@dataclass
class PersonMention:
    start: int
    end: int
    name: str
    title: str = ""
    title_start: int = 0
    organisation: OrgMention | None = None
    role: str = ""  # reporter | author | photographer, for bylines


_NAME_STOP = {
    "马上",
    "方面",
    "方式",
    "方法",
    "高度",
    "常常",
    "全面",
    "全体",
    "全部",
    "安全",
    "平时",
    "时间",
    "文明",
    "文化",
    "明确",
    "成为",
    "成员",
    "关于",
    "关键",
    "周边",
    "金融",
    "党员",
    "王牌",
    "高效",
    "于是",
    "向前",
    "江山",
    "任务",
    "任何",
    "应该",
    "应当",
    "何时",
    "何处",
    "和谐",
    "和平",
    "万一",
    "万家",
    "司机",
    "都是",
}


def _ends_name(text: str, position: int) -> bool:
    """A name may end here: the text ends, a non-Chinese character or a word that follows names (说)."""
    if position >= len(text):
        return True
    return not is_han(text[position]) or any(text.startswith(word, position) for word in people()["after_name"])


def _minority_name(text: str, at: int) -> str | None:
    """次仁卓玛说, 书记乌兰介绍: a name without a surname, the longest run of given-name words that
    ends where a following word begins."""
    for length in range(6, 1, -1):
        candidate = text[at : at + length]
        if len(candidate) == length and is_minority_name(candidate) and _ends_name(text, at + length):
            return candidate
    return None


# Words that may follow a name and are also common given-name characters (楼志刚介绍 is 楼志刚).
_GIVEN_OR_AFTER = set("刚正曾才仍再常")
# What surely follows a whole name: a verb of speech, or punctuation.
_SPEECH_AFTER = re.compile(r"(?:[^\u4e00-\u9fff]|说|介绍|表示|告诉|认为|指出|坦言|感慨|笑着|回忆|补充|解释|强调|透露)")


def _read_name(text: str, at: int) -> str | None:
    surname_length = 2 if text[at : at + 2] in COMPOUND_SURNAMES else 1
    if surname_length == 1 and text[at : at + 1] not in SURNAMES:
        return None
    for length in (surname_length + 1, surname_length + 2):
        candidate = text[at : at + length]
        if len(candidate) < length or not all(is_han(ch) for ch in candidate):
            return None
        if candidate in _NAME_STOP:
            return None
        if _ends_name(text, at + length):
            after = text[at + length : at + length + 1]
            longer_end = at + length + 1
            if (
                length == surname_length + 1
                and after in _GIVEN_OR_AFTER
                and (longer_end >= len(text) or _SPEECH_AFTER.match(text, longer_end))
            ):
                return candidate + after
            return candidate
    return None


def _jieba_name(text: str, at: int, *, strong: bool) -> str | None:
    """A name jieba recognises (韩素芬翻开…), when the following word is not in the after-name list."""
    from cases.extraction.segmenter import posseg

    if text[at : at + 1] not in SURNAMES:
        return None
    words = list(posseg().cut(text[at : at + 8]))
    if words and words[0].flag == "nr" and 2 <= len(words[0].word) <= 3:
        return words[0].word
    if not strong:
        return None
    # 吴建中退休前…: three characters, then a word jieba reads as a verb, adverb or time word.
    position = 0
    for word in words:
        if position == 3 and word.flag.startswith(("v", "d", "t", "p")) and len(word.word) > 1:
            candidate = text[at : at + 3]
            return candidate if all(is_han(ch) for ch in candidate) else None
        position += len(word.word)
        if position > 3:
            break
    return None


def _dotted_name(text: str, at: int) -> str | None:
    """哈力木拉提·吾斯曼介绍: a transliterated name, its last part ending where a following word begins."""
    match = _DOTTED.match(text, at)
    if match is None:
        return None
    after = people()["after_name"]
    name = match.group()
    head, _, last = name.rpartition("·")
    for i in range(2, len(last) + 1):
        if any(text.startswith(word, at + len(head) + 1 + i) for word in after):
            return f"{head}·{last[:i]}"
    return name if len(last) <= 4 else None


def _is_word(name: str) -> bool:
    from cases.extraction.segmenter import posseg

    words = list(posseg().cut(name))
    return len(words) == 1 and words[0].flag in _WORD_FLAGS


def person_mentions(text: str, orgs: list[OrgMention]) -> list[PersonMention]:
    """People named after a title, each with the organisation printed before the title, and every
    later mention of the same names."""
    titles = people()["titles"]
    weak = set(people()["weak_titles"])
    automaton = _get("titles", titles)
    org_by_end = {}
    for org in orgs:
        if org.end not in org_by_end or org_by_end[org.end].start > org.start:
            org_by_end[org.end] = org
    found: list[PersonMention] = []
    for end_index, title in automaton.iter_long(text):
        start = end_index - len(title) + 1
        at = end_index + 1
        strong = title not in weak
        name = (
            _minority_name(text, at)
            or _read_name(text, at)
            or _jieba_name(text, at, strong=strong)
            or _dotted_name(text, at)
        )
        if name is None or (not strong and _is_word(name)):
            continue
        if len(name) == 3 and is_ordinary_word(text[at : at + 4]):
            continue  # 村民代表大会: 代 is a surname, and 代表大 the start of a word
        org = org_by_end.get(start)
        title_start = org.start if org is not None else start
        found.append(
            PersonMention(
                at, at + len(name), name, title=text[title_start:at], title_start=title_start, organisation=org
            )
        )
    # Every other mention of a name found after a title.
    names = {p.name for p in found}
    taken = {(p.start, p.end) for p in found}
    for name in names:
        for match in re.finditer(re.escape(name), text):
            if (match.start(), match.end()) not in taken:
                found.append(PersonMention(match.start(), match.end(), name))
    return found
