"""Cutting a received page into pieces: reports, commentary, photo captions.

A page arrives as paragraphs separated by blank lines, in reading order but with the layout's
seams showing: column banners, kickers (引题, ending in ——), headlines and subheadlines,
bylines, intertitles inside a report, captions, a commentary whose headline and author are printed
after its body, words broken across columns, and a report cut off mid-sentence where the next
piece begins. The rules below read those seams from the shape of the lines alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cases.extraction.lexicon import COMPOUND_SURNAMES, SURNAMES, is_minority_name

# A paragraph ending in one of these is complete; anything else was broken or cut off.
SENTENCE_END = tuple('。！？!?…”’"』」）)；;')
KICKER_END = ("——", "—")
CAPTION_RE = re.compile(
    r"^(?:[左右上下中]|[左右上下]?[一二三四五六七八九0-9１-９]|)?图[一二三四五六七八九0-9]?[:：]|^图为"
)
# An outlet before 记者: 本报, an agency, or any masthead (某某日报, 某某晚报, 某某网, 某某电视台).
_OUTLET = r"(?:本报|本報|本台|本网|本網|新华社|新華社|人民网|人民網|中新社|(?:[\u4e00-\u9fff]{1,6}[·・])?[\u4e00-\u9fff]{2,10}?(?:日报|日報|晚报|晚報|早报|时报|時報|报|報|网|網|电视台|電視台|广播电视台|融媒体中心|新闻中心))"  # noqa: E501
BYLINE_RE = re.compile(
    rf"^[（(□■◎]?[\s　]*(?P<label>(?P<outlet>{_OUTLET})?(?:特约|特約|实习|實習|首席)?(?:全媒体|全媒體|全媒|融媒)?(?:记者|記者|通讯员|通訊員|实习生|實習生)|本报评论员|评论员|作者|撰文|文图|图文|文|摄影)"  # noqa: E501
    r"(?:[\s　]*[|｜/／:：][\s　]*|[\s　]+|(?<=[者员生]))(?P<names>[^。！？]{2,60}?)[）)]?$"
)
# Role words inside a byline: 本报记者 王磊 通讯员 李明.
_ROLE_WORD = re.compile(
    r"(?:本报|本報)?(?:特约|特約|实习|實習|首席)?(?:全媒体|全媒|融媒)?(?:记者|記者|通讯员|通訊員|实习生|實習生)"
    r"|摄影|摄|攝|文图|图文|[|｜/／:：]"
)
# A trailing credit at the end of a report: （王 磊、赵 芳）, （记者 王磊 通讯员 李明）.
TRAILING_CREDIT_RE = re.compile(
    r"[（(](?P<names>(?:(?:本报)?(?:特约|实习)?(?:记者|通讯员|实习生)[\s　]*)?"
    r"[\u4e00-\u9fff](?:[\s　]?[\u4e00-\u9fff]){1,3}(?:[、，,\s　]+(?:(?:记者|通讯员|实习生)[\s　]*)?"
    r"[\u4e00-\u9fff](?:[\s　]?[\u4e00-\u9fff]){1,3})*)[）)][\s　]*$"
)
# Page furniture of a pasted web page or e-paper: never a headline, column or paragraph.
CHROME_RE = re.compile(
    r"^(?:首页|首頁|主页|网站首页|当前位置|您的位置|您当前的位置|您现在的位置|位置)[\s　]*(?:[:：>＞»›/|]|$)"
    r"|^(?:首页|首頁)[\s　]+\S{2,6}[\s　]+\S{2,6}"
    r"|^[•·\-*][\s　]*\S{1,8}$"
    r"|^(?:索引号|主题分类|组配分类|信息分类|发布机构|发文机构|发文字号|文号|生成日期|发文日期|公开日期|有效性|归档时间|内容概述|信息来源|关键词|字号)[\s　]*[:：]"  # noqa: E501
    r"|^分享[:：]?$"
    r"|[>＞»›][^>＞»›]*[>＞»›]"
    r"|^(?:[\u4e00-\u9fff]{2,10}(?:日报|日報|晚报|晚報|报|報)[\s　]+)?第?[A-Za-z]?\d{1,5}版[:：\s　]"
    r"|^版[次面][:：]|^\d{1,5}版$"
    r"|滑动查看|左右滑动|向左滑动|向右滑动|点击查看|上一[篇版页]|下一[篇版页]|返回(?:目录|顶部|首页)"
    r"|^分享到|^打印本页|^关闭窗口|^【?字[体号][:：]|^扫一扫|二维码|^责任编辑|^编辑[:：]|^审核[:：]|^校对[:：]"
    r"|^(?:发布|发表|更新)?时间[:：]\s*\d|^来源[:：]|^浏览(?:次数|量)|^阅读(?:数|量)|^\[?打印\]?$"
    r"|!\[[^\]]*\]\([^)]*\)"
)

SPACED_NAME_RE = re.compile(r"[\u4e00-\u9fff](?:[ 　][\u4e00-\u9fff]){1,2}")
PHOTO_CREDIT_RE = re.compile(
    r"[\s　]*(?:(?P<outlet>新华社|中新社|人民网|本报)?(?:特约|实习)?(?:记者|通讯员)[\s　]*)?"
    r"(?P<names>(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?:[ 　]?[\u4e00-\u9fff]){1,3}(?:[、\s　]+[\u4e00-\u9fff](?:[ 　]?[\u4e00-\u9fff]){1,3})*)[\s　]*[摄攝]"  # noqa: E501
    r"[）)]?(?:[\s　]*[（(](?P<agency>[^）)]{2,16})[）)])?[\s　]*$"
)
COMMENTARY_HINTS = ("评论", "论坛", "观澜", "时评", "短评", "今日谈", "观察", "随笔", "评论员", "社论", "快评")
POLICY_HINTS = re.compile(r"第[一二三四五六七八九十]+条|各省、自治区、直辖市|现予印发|请结合实际认真贯彻")
HEADING_MAX = 40


@dataclass
class Line:
    text: str
    start: int
    end: int
    kind: str = "body"  # body | heading | kicker | byline | caption | name | chrome


@dataclass
class Credit:
    role: str  # reporter | author | photographer | agency
    name: str
    as_printed: str
    start: int
    end: int


@dataclass
class Piece:
    kind: str = "report"
    column: str = ""
    kicker: str = ""
    headline: str = ""
    subheadline: str = ""
    credits: list[Credit] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    intertitles: list[str] = field(default_factory=list)
    is_truncated: bool = False
    has_body: bool = False
    headline_after_body: bool = False

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end

    def text(self) -> str:
        """The piece's text, paragraphs separated by blank lines, broken paragraphs rejoined."""
        return rejoin_lines(self.lines)


def _is_name_line(text: str) -> bool:
    if len(text) > 16 or not re.fullmatch(r"[\u4e00-\u9fff\s　、，,]+", text):
        return False
    names = names_in(text)
    # One name (2-4 characters), or several short ones: never a word-like heading of 5+ characters.
    return bool(names) and (len(names) > 1 or len(re.sub(r"[\s　]", "", text)) <= 3 or " " in text)


def looks_like_person_name(name: str) -> bool:
    """Two to four Chinese characters starting with a surname (王磊, 欧阳娜娜)."""
    return _looks_like_name(name)


def _looks_like_name(name: str) -> bool:
    if "·" in name:
        parts = name.split("·")
        return 2 <= len(parts) <= 3 and all(1 <= len(p) <= 8 and all(_han(ch) for ch in p) for p in parts)
    if not 2 <= len(name) <= 4 or not all(_han(ch) for ch in name):
        return False
    name = simplified(name)
    return name[0] in SURNAMES or name[:2] in COMPOUND_SURNAMES or is_minority_name(name)


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def simplified(text: str) -> str:
    """Traditional characters read as simplified (楊麗 → 杨丽), same length."""
    from cases.extraction.textview import _converter

    converted = _converter().convert(text)
    return converted if len(converted) == len(text) else text


def names_in(text: str, base: int = 0) -> list[tuple[str, int, int]]:
    """Personal names in a list of names as bylines print them: 王磊、赵芳 / 王 磊 / 李 明 张 华 / 王磊 李明.

    Returns (name without spaces, start, end) with offsets from ``base``; empty when any part of
    the list does not look like a name (then the line is not a list of names).
    """
    found: list[tuple[str, int, int]] = []
    for part in re.finditer(r"[^、，,；;]+", text):
        raw = part.group()
        tokens = [(m.group(), m.start() + part.start()) for m in re.finditer(r"[^\s　]+", raw)]
        if not tokens:
            continue
        joined = "".join(t for t, _ in tokens)
        spaced_one = (len(tokens) == 2 and (len(joined) <= 3 or tokens[0][0] in COMPOUND_SURNAMES)) or (
            len(tokens) == 3 and all(len(t) == 1 for t, _ in tokens)
        )
        if _looks_like_name(joined) and (len(tokens) == 1 or spaced_one):
            found.append((joined, base + tokens[0][1], base + tokens[-1][1] + len(tokens[-1][0])))
            continue
        i = 0
        while i < len(tokens):
            word, at = tokens[i]
            if len(word) == 1 and i + 1 < len(tokens) and len(tokens[i + 1][0]) <= 2:
                # 李 明 张 华: a one-character surname spaced from its given name.
                nxt, nat = tokens[i + 1]
                word, end = word + nxt, nat + len(nxt)
                i += 2
            else:
                end = at + len(word)
                i += 1
            if not _looks_like_name(word):
                return []
            found.append((word, base + at, base + end))
    return found


def classify(text: str, start: int) -> Line:
    end = start + len(text)
    if (CHROME_RE.search(text) and len(text) <= 120) or not re.search(r"[\u4e00-\u9fff0-9A-Za-z]", text):
        return Line(text, start, end, "chrome")
    if CAPTION_RE.match(text):
        return Line(text, start, end, "caption")
    if BYLINE_RE.match(text) and len(text) <= 40 and _parse_byline(Line(text, start, end)):
        return Line(text, start, end, "byline")
    if text.endswith(KICKER_END) and len(text) <= 60:
        return Line(text, start, end, "kicker")
    if len(text) <= HEADING_MAX and not text.endswith(SENTENCE_END):
        return Line(text, start, end, "name" if _is_name_line(text) else "heading")
    return Line(text, start, end, "body")


def page_lines(text: str) -> list[Line]:
    """Non-blank lines with their offsets in ``text`` (leading and trailing spaces trimmed)."""
    lines = []
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group()
        stripped = raw.strip(" \t\u3000\ufeff")
        if not stripped:
            continue
        offset = match.start() + raw.index(stripped)
        line = classify(stripped, offset)
        if line.kind != "chrome":
            lines.append(line)
    return lines


def breaks_mid_sentence(line: Line) -> bool:
    return line.kind in {"body", "heading"} and not line.text.endswith(SENTENCE_END) and len(line.text) > 30


def rejoin_lines(lines: list[Line]) -> str:
    """Paragraphs joined by blank lines; a long paragraph that stops mid-sentence continues in the next."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if out and i > 0 and breaks_mid_sentence(lines[i - 1]) and line.kind == "body":
            out[-1] += line.text
        else:
            out.append(line.text)
    return "\n\n".join(out)


def _parse_byline(line: Line, role: str = "reporter") -> list[Credit]:
    match = BYLINE_RE.match(line.text)
    label = match.group("label") if match else ""
    if "评论员" in label or label in ("作者", "撰文", "文"):
        role = "author"
    elif label in ("摄影",):
        role = "photographer"
    elif label in ("文图", "图文"):
        role = "author"
    body_at = match.start("names") if match else 0
    credits = []
    outlet = match.group("outlet") if match else None
    if outlet and outlet not in ("本报", "本報", "本台", "本网", "本網"):
        start = line.start + match.start("outlet")
        credits.append(Credit("agency", outlet, outlet, start, start + len(outlet)))
    # Role words may switch the role inside the line: 本报记者 王磊 通讯员 李明.
    rest = re.sub(r"[\s　]*(?:摄影报道|报道|报导|報道)?[）)]?$", "", line.text[body_at:])
    segments = []
    position = 0
    current_role = role
    for word in _ROLE_WORD.finditer(rest):
        segments.append((current_role, rest[position : word.start()], body_at + position))
        current_role = "photographer" if word.group() in ("摄影", "摄") else current_role
        if word.group().endswith(("记者", "通讯员", "实习生", "記者", "通訊員", "實習生")):
            current_role = "reporter"
        position = word.end()
    segments.append((current_role, rest[position:], body_at + position))
    first = True
    for segment_role, segment, offset in segments:
        if not segment.strip():
            continue
        names = names_in(segment, line.start + offset)
        if not names:
            return [c for c in credits if c.role == "agency"] if credits else []
        for name, start, end in names:
            printed = line.text[start - line.start : end - line.start]
            as_printed = f"{label} {printed}" if label and first else printed
            first = False
            credits.append(Credit(segment_role, name, as_printed, start, end))
    return credits


def _name_credits(line: Line, role: str) -> list[Credit]:
    return [
        Credit(role, n, line.text[a - line.start : b - line.start], a, b) for n, a, b in names_in(line.text, line.start)
    ]


def chrome_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the lines that are page furniture (breadcrumbs, page labels, swipe hints …)."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        stripped = match.group().strip(" \t\u3000\ufeff")
        if stripped and classify(stripped, 0).kind == "chrome":
            spans.append((match.start(), match.end()))
    return spans


LEADING_CREDIT_RE = re.compile(r"^(?P<lead>[^（(，。！？]{0,24}?(?:讯|訊|电|電))[（(](?P<inner>[^）)]{2,40})[）)]")
_LEAD_OUTLET = re.compile(
    r"^(?:新华社|新華社|中新社|人民网|人民網|[\u4e00-\u9fff]{2,8}?"
    r"(?:日报|日報|晚报|晚報|网|網|融媒体中心|融媒|新闻中心|广播电视台|电视台))"
)
# The outlet or office of a web page's 来源 line: 来源：某某日报, 信息来源：某某镇人民政府.
SOURCE_LINE_RE = re.compile(
    r"(?:^|[\s　|｜])(?:(?:信息|文章|稿件)?来源|发布机构|發布機構)[:：][\s　]*(?P<name>[\u4e00-\u9fff·・]{2,24})"
)
# A masthead printed as furniture: 某某日报　2024年11月05日　第05版, or a wire tag 【某某報訊】 opening a report.
MASTHEAD_RE = re.compile(
    r"^[【\[]?(?P<name>[\u4e00-\u9fff]{2,8}?(?:日报|日報|晚报|晚報|早报|早報|时报|時報|报|報))"
    r"(?:(?:讯|訊)[】\]]|[\s　]+(?:\d{4}年|第?[A-Za-z]?\d{1,3}版))",
    re.MULTILINE,
)
# People credited in a web page's furniture: 作者：某某　编辑：某某 (the line itself is never a paragraph).
META_CREDIT_RE = re.compile(
    r"(?:^|[\s　|｜])(?P<label>作者|撰稿|撰文|通讯员|通訊員|记者|記者|责任编辑|責任編輯|编辑|編輯|责编)[:：][\s　]*"
    r"(?P<name>[\u4e00-\u9fff·]{2,8}?)(?=[\s　|｜]|$)",
    re.MULTILINE,
)
_META_ROLES = {"作者": "author", "撰稿": "author", "撰文": "author", "通讯员": "reporter", "通訊員": "reporter"}
_META_ROLES |= {"记者": "reporter", "記者": "reporter"}


def source_credits(text: str) -> list[Credit]:
    """The body a web page says it comes from (its 来源 or 发布机构 line), or the masthead it prints."""
    credits = []
    for match in [*SOURCE_LINE_RE.finditer(text), *MASTHEAD_RE.finditer(text)]:
        name = match.group("name")
        start = match.start("name")
        credits.append(Credit("source", simplified(name), name, start, start + len(name)))
    return credits


def meta_credits(text: str) -> list[Credit]:
    """作者：某某 / 编辑：某某 in a page's furniture. An editor has no credit role of the model: role ''."""
    credits = []
    for match in META_CREDIT_RE.finditer(text):
        name = match.group("name")
        if not _looks_like_name(name) or "某" in name:
            continue  # 编辑：王某某, a placeholder
        start = match.start("name")
        role = _META_ROLES.get(match.group("label"), "")
        credits.append(Credit(role, simplified(name), name, start, start + len(name)))
    return credits


def leading_credits(line: Line) -> list[Credit]:
    """本报讯（记者 王磊 通讯员 李明）近日… / 新华社北京3月5日电（记者 王磊）: credits opening a report."""
    match = LEADING_CREDIT_RE.match(line.text)
    if match is None:
        return []
    credits = []
    outlet = _LEAD_OUTLET.match(match.group("lead"))
    if outlet and not outlet.group().startswith(("本报", "本報")):
        start = line.start + outlet.start()
        credits.append(Credit("agency", outlet.group(), outlet.group(), start, start + len(outlet.group())))
    inner = Line(match.group("inner"), line.start + match.start("inner"), line.start + match.end("inner"), "byline")
    if BYLINE_RE.match(inner.text):
        people = [c for c in _parse_byline(inner) if c.role != "agency"]
    else:
        people = _name_credits(inner, "reporter")
    return credits + people if people else []


def trailing_credits(line: Line) -> list[Credit]:
    """（王 磊、赵 芳） at the end of a report's last paragraph, or on a line of its own."""
    match = TRAILING_CREDIT_RE.search(line.text)
    if match is None:
        return []
    inner = Line(match.group("names"), line.start + match.start("names"), line.start + match.end("names"))
    if not re.match(r"(?:本报)?(?:特约|实习)?(?:记者|通讯员|实习生)", inner.text):
        names = names_in(inner.text, inner.start)
        return [Credit("reporter", n, line.text[a - line.start : b - line.start], a, b) for n, a, b in names]
    fake = Line(inner.text, inner.start, inner.end, "byline")
    return [c for c in _parse_byline(fake) if c.role != "agency"]


def _photo_credits(line: Line) -> list[Credit]:
    match = PHOTO_CREDIT_RE.search(line.text)
    if not match:
        return []
    credits = []
    base = line.start
    names = match.group("names")
    names_at = match.start("names")
    for name, start, end in names_in(names, base + names_at):
        credits.append(Credit("photographer", name, line.text[start - base : end - base] + "摄", start, end))
    if match.group("outlet") and match.group("outlet") != "本报":
        # 新华社记者 欧东衢摄: the agency is the photographer's outlet.
        start = base + match.start("outlet")
        outlet = match.group("outlet")
        credits.append(Credit("agency", outlet, outlet, start, start + len(outlet)))
    if match.group("agency"):
        start = base + match.start("agency") - 1
        end = base + match.end("agency") + 1
        credits.append(Credit("agency", match.group("agency"), line.text[start - base : end - base], start, end))
    return credits


def _apply_header(piece: Piece, run: list[Line]) -> None:
    for line in run:
        if line.kind == "byline":
            piece.credits.extend(_parse_byline(line))
    titles = [line for line in run if line.kind in {"heading", "kicker", "name"}]
    # A bare name line under the headline is the reporter's (the headline comes first).
    if len(titles) >= 2 and titles[-1].kind == "name":
        line = titles.pop()
        piece.credits.extend(_name_credits(line, "reporter"))
    kicker_at = next((i for i, line in enumerate(titles) if line.kind == "kicker"), None)
    if kicker_at is not None:
        piece.column = " ".join(line.text for line in titles[:kicker_at])
        piece.kicker = titles[kicker_at].text
        rest = titles[kicker_at + 1 :]
    elif len(titles) == 2 and len(titles[0].text) <= 8 < len(titles[1].text) + 3:
        # A short place or topic line above the headline is a kicker printed without its dash.
        piece.kicker = titles[0].text
        rest = titles[1:]
    elif len(titles) >= 3:
        piece.column = titles[0].text
        rest = titles[1:]
    else:
        rest = titles
    if rest:
        piece.headline = rest[0].text
    if len(rest) > 1:
        piece.subheadline = " ".join(line.text for line in rest[1:])


def _kind(piece: Piece, text: str) -> str:
    if piece.kind == "photo_caption":
        return piece.kind
    if POLICY_HINTS.search(text):
        return "policy_document"
    if any(hint in piece.column for hint in COMMENTARY_HINTS):
        return "commentary"
    if piece.credits and all(credit.role == "author" for credit in piece.credits):
        return "commentary"
    return "report"


def split_page(text: str) -> list[Piece]:
    """Cut a page into pieces. A text with no recognisable seams is one piece."""
    lines = page_lines(text)
    pieces: list[Piece] = []
    current: Piece | None = None

    def close() -> None:
        nonlocal current
        if current is not None and current.lines:
            finish(current)
            pieces.append(current)
        current = None

    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind == "caption":
            close()
            caption = Piece(kind="photo_caption", lines=[line], has_body=True)
            caption.credits = _photo_credits(line)
            label = re.match(r"^[^:：]{1,6}(?=[:：])", line.text)
            caption.headline = label.group() if label else line.text[:20]
            pieces.append(caption)
            i += 1
            continue
        if line.kind == "body":
            if current is None:
                current = Piece()
            current.lines.append(line)
            current.has_body = True
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].kind not in {"body", "caption"}:
            j += 1
        run = lines[i:j]
        followed_by_body = j < len(lines) and lines[j].kind == "body"
        if current is not None and current.has_body:
            # Headline and author printed after the body (commentary layout).
            if run[0].kind == "heading" and len(run) <= 2 and (len(run) == 1 or run[1].kind == "name"):  # noqa: SIM102
                if not followed_by_body:
                    if current.headline:
                        current.column = current.column or current.headline
                    current.headline = run[0].text
                    current.headline_after_body = True
                    current.lines.extend(run)
                    if len(run) == 2:
                        current.credits.extend(_name_credits(run[1], "author"))
                    close()
                    i = j
                    continue
            # Credits printed after the body (文|周晓 at the end of a report).
            if all(line.kind == "byline" for line in run) and not followed_by_body:
                for line in run:
                    current.lines.append(line)
                    current.credits.extend(_parse_byline(line))
                i = j
                continue
            # A commentary's author printed alone after its body (评论, then 秦川).
            if len(run) == 1 and run[0].kind == "name" and not followed_by_body:
                current.lines.extend(run)
                current.credits.extend(_name_credits(run[0], "author"))
                close()
                i = j
                continue
            # An intertitle: one heading line between two paragraphs of the same report.
            if len(run) == 1 and run[0].kind == "heading" and followed_by_body:
                previous = current.lines[-1]
                if previous.text.endswith(SENTENCE_END):
                    current.lines.append(run[0])
                    current.intertitles.append(run[0].text)
                    i = j
                    continue
            # A report cut off mid-sentence where the next piece starts: the fragment (and any
            # intertitle just before it) stays with the report; the rest of the run heads the next piece.
            moved = 0
            while len(run) - moved >= 2 and run[moved].kind == "heading" and re.search(r"[,，]", run[moved].text):
                moved += 1
            if moved:
                for line in run[: moved - 1]:
                    current.intertitles.append(line.text)
                current.lines.extend(run[:moved])
                current.is_truncated = True
                run = run[moved:]
                i += moved
        close()
        current = Piece()
        current.lines.extend(run)
        _apply_header(current, run)
        i = j
    close()
    if not pieces:
        raise ValueError("no text to split")
    return pieces


def finish(piece: Piece) -> None:
    last_body = next((line for line in reversed(piece.lines) if line.kind == "body"), None)
    first_body = next((line for line in piece.lines if line.kind == "body"), None)
    if first_body is not None:
        piece.credits.extend(leading_credits(first_body))
    if last_body is not None:
        piece.credits.extend(trailing_credits(last_body))
    if last_body is not None and not piece.headline_after_body and not last_body.text.endswith(SENTENCE_END):  # noqa: SIM102
        if piece.lines[-1] is last_body:
            piece.is_truncated = True
    if not piece.headline:
        first = piece.lines[0].text
        cut = re.split(r"[。！？!?,，;；:：]", first, maxsplit=1)[0]
        piece.headline = cut[:60]
    piece.kind = _kind(piece, piece.text())
