"""Reading received input: size and content checks, encoding detection, HTML to main text.

Bytes are decoded by their BOM (UTF-8, UTF-16, UTF-32), then as strict UTF-8, then by
charset-normalizer's best guess among the Chinese encodings (GB18030, Big5, UTF-16 without BOM);
the encoding used is reported. GB18030 decodes almost any byte sequence, so a decoding without
error proves nothing: the text must also be mostly Chinese characters and punctuation. An HTML
page (pasted or uploaded) is reduced to its main text with trafilatura (menus, footers and scripts
dropped).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache

from cases.extraction.lexicon import DATA_DIR

MAX_BYTES = 5 * 1024 * 1024

# Control characters other than tab, newline, carriage return and form feed mark binary data.
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The encodings Chinese text arrives in; charset-normalizer chooses among them.
_CANDIDATES = ["gb18030", "big5", "big5hkscs", "utf_16_le", "utf_16_be"]
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|article|meta|script|table|span)[\s>/]", re.I)
# Share of the letters that must be Chinese characters or punctuation for the text to be Chinese.
MIN_CJK_SHARE = 0.5
# Share of the Chinese characters that must be common ones: real text is ~99% common characters,
# random bytes read as GB18030 or Big5 are mostly rare ones (about one in five common).
MIN_COMMON_SHARE = 0.75


class IngestError(ValueError):
    """Input that cannot be ingested; the message names what is wrong and where."""


@dataclass(frozen=True)
class ReadText:
    text: str
    encoding: str
    was_html: bool = False


def _is_cjk(ch: str) -> bool:
    return (
        "\u4e00" <= ch <= "\u9fff"
        or "\u3400" <= ch <= "\u4dbf"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or ch in "“”‘’—…·"
    )


def cjk_share(text: str) -> float:
    """Share of Chinese characters and punctuation among the non-space, non-ASCII-alphanumeric characters.

    ASCII letters and digits are left out of the count (numbers, URLs and English words are normal
    in a Chinese report), so what is measured is whether the rest reads as Chinese.
    """
    counted = cjk = 0
    for ch in text[:50000]:
        if ch.isspace() or (ch.isascii() and (ch.isalnum() or ch in ".,:;%/()-+_'\"!?[]<>=#&@*")):
            continue
        counted += 1
        cjk += _is_cjk(ch)
    return cjk / counted if counted else 0.0


@cache
def _common_chars() -> frozenset[str]:
    lines = (DATA_DIR / "common_chars.txt").read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def common_share(text: str) -> float:
    """Share of the Han characters of ``text`` that are common characters (1.0 when it has none)."""
    han = [ch for ch in text[:50000] if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return 1.0
    common = _common_chars()
    return sum(ch in common for ch in han) / len(han)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES, preemptive_behaviour=False).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, *, name: str = "input") -> ReadText:
    """Decode a received file (text or HTML) and return its text and the encoding used.

    Raises ``IngestError`` for empty, oversized, binary, undecodable or non-Chinese input.
    """
    if len(data) > MAX_BYTES:
        raise IngestError(f"{name}: file is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes (5 MB)")
    if not data.strip():
        raise IngestError(f"{name}: file is empty")
    bom = next((encoding for mark, encoding in _BOMS if data.startswith(mark)), None)
    if bom is None and b"\x00" in data and not _looks_utf16(data):
        raise IngestError(f"{name}: file looks binary (it contains NUL bytes); send plain text")
    encoding, text = _decode(data, bom)
    if text is None:
        raise IngestError(f"{name}: cannot decode the file as UTF-8, UTF-16, GB18030 or Big5; convert it to UTF-8")
    text = text.lstrip("\ufeff")
    was_html = looks_like_html(text)
    return ReadText(text=check_text(text, name=name, encoding=encoding), encoding=encoding, was_html=was_html)


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: about every second byte of Chinese text with ASCII is NUL."""
    sample = data[:4000]
    return sample.count(b"\x00") > len(sample) // 8 and len(sample) % 2 == 0


def _decode(data: bytes, bom: str | None) -> tuple[str, str | None]:
    if bom is not None:
        try:
            return ("utf-8" if bom == "utf-8-sig" else bom), data.decode(bom)
        except UnicodeDecodeError:
            return bom, None
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = _detect(data)
    for encoding in [guess, "gb18030"] if guess else ["gb18030"]:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return _encoding_label(encoding), text
    return "unknown", None


def _encoding_label(encoding: str) -> str:
    return {"utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be", "big5hkscs": "big5-hkscs"}.get(encoding, encoding)


def looks_like_html(text: str) -> bool:
    head = text[:5000]
    return bool(_HTML.search(head)) and head.count("<") >= 3


def html_to_text(html: str, *, name: str = "input") -> str:
    """The main text of an HTML page: paragraphs separated by blank lines, page chrome dropped."""
    import trafilatura

    options = dict(include_comments=False, include_tables=True, include_images=False, include_links=False)
    # The default settings keep menus out (favor_recall lets a header's <li> items in); a page
    # whose text they miss entirely is retried with recall favoured.
    extracted = trafilatura.extract(html, deduplicate=False, output_format="txt", **options)
    if not extracted or not extracted.strip():
        extracted = trafilatura.extract(html, deduplicate=False, output_format="txt", favor_recall=True, **options)
    if not extracted or not extracted.strip():
        raise IngestError(f"{name}: the HTML page has no main text that could be extracted")
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title or "").strip() if metadata is not None else ""
    paragraphs = [line.strip() for line in extracted.splitlines() if line.strip()]
    if title and (not paragraphs or paragraphs[0] != title) and title not in extracted[:200]:
        paragraphs.insert(0, title)
    return "\n\n".join(paragraphs)


def check_text(text: str, *, name: str = "input", encoding: str | None = None) -> str:
    """Normalise line ends, turn HTML into its main text, and refuse text that is empty, oversized,
    full of control characters or not Chinese."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise IngestError(f"{name}: text is larger than the 5 MB limit")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{name}: text is empty")
    if looks_like_html(text):
        text = html_to_text(text, name=name)
    controls = sum(1 for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS)
    if "\x00" in text or controls > max(2, len(text) // 1000):
        raise IngestError(f"{name}: text contains {controls} control characters; it looks binary or wrongly decoded")
    replacement = text.count("\ufffd")
    if replacement > max(2, len(text) // 1000):
        raise IngestError(f"{name}: text contains {replacement} replacement characters (�); it was wrongly decoded")
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text[:20000]):
        raise IngestError(f"{name}: no Chinese text found; is this the right file or the right encoding?")
    share = cjk_share(text)
    common = common_share(text)
    if common < MIN_COMMON_SHARE:
        read_as = f" read as {encoding}" if encoding else ""
        raise IngestError(
            f"{name}: only {common:.0%} of the Chinese characters{read_as} are common ones; "
            "it looks like binary data or the wrong encoding"
        )
    if share < MIN_CJK_SHARE:
        read_as = f" read as {encoding}" if encoding else ""
        raise IngestError(
            f"{name}: only {share:.0%} of the text{read_as} is Chinese characters or punctuation; "
            "it looks like binary data or the wrong encoding"
        )
    return text
