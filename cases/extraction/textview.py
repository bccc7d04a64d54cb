"""A working view of a text for extraction, with a map back to the original offsets.

Words broken across columns (天津北方电 / 影集团) are rejoined and traditional characters are read
as simplified; every span found in the view is reported in the original text's offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cases.extraction.splitting import SENTENCE_END

HAN = re.compile(r"[\u4e00-\u9fff]")
_BREAK = re.compile(r"[ \t\u3000]*\n[ \t\u3000\n]*")


@cache
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@dataclass
class TextView:
    original: str
    text: str
    offsets: list[int]  # offsets[i] = original offset of text[i]; one extra entry for the end

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the view's [start, end)."""
        return self.offsets[start], self.offsets[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def _needs_join(text: str, at: int) -> bool:
    line = text[text.rfind("\n", 0, at) + 1 : at].strip()
    return len(line) > 30 and not line.endswith(SENTENCE_END)


def make_view(original: str) -> TextView:
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _BREAK.finditer(original):
        if "\n\n" not in match.group().replace(" ", "").replace("\t", "") and match.group().count("\n") < 2:
            continue
        if not _needs_join(original, match.start()):
            continue
        following = original[match.end() : match.end() + 1]
        if not following or not (is_han(following) or following in "“‘《"):
            continue
        pieces.append(original[position : match.start()])
        offsets.extend(range(position, match.start()))
        position = match.end()
    pieces.append(original[position:])
    offsets.extend(range(position, len(original)))
    offsets.append(len(original))
    text = "".join(pieces)
    simplified = _converter().convert(text)
    if len(simplified) == len(text):
        text = simplified
    return TextView(original=original, text=text, offsets=offsets)
