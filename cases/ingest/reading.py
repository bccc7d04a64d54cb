"""Reading received files: size and content checks, encoding detection (UTF-8, GB18030)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024

# Control characters other than tab, newline, carriage return and form feed mark binary data.
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}


class IngestError(ValueError):
    """Input that cannot be ingested; the message names what is wrong and where."""


@dataclass(frozen=True)
class ReadText:
    text: str
    encoding: str


def decode_bytes(data: bytes, *, name: str = "input") -> ReadText:
    """Decode a received file, trying UTF-8 (with or without BOM) and then GB18030.

    Raises ``IngestError`` for empty, oversized, binary or undecodable input.
    """
    if len(data) > MAX_BYTES:
        raise IngestError(f"{name}: file is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes (5 MB)")
    if not data.strip():
        raise IngestError(f"{name}: file is empty")
    if b"\x00" in data:
        raise IngestError(f"{name}: file looks binary (it contains NUL bytes); send plain text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return ReadText(text=check_text(text, name=name), encoding="utf-8" if encoding == "utf-8-sig" else encoding)
    raise IngestError(f"{name}: cannot decode the file as UTF-8 or GB18030; convert it to UTF-8")


def check_text(text: str, *, name: str = "input") -> str:
    """Normalise line ends and refuse text that is empty, oversized or full of control characters."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise IngestError(f"{name}: text is larger than the 5 MB limit")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{name}: text is empty")
    controls = sum(1 for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS)
    if "\x00" in text or controls > max(2, len(text) // 1000):
        raise IngestError(f"{name}: text contains {controls} control characters; it looks binary or wrongly decoded")
    replacement = text.count("\ufffd")
    if replacement > max(2, len(text) // 1000):
        raise IngestError(f"{name}: text contains {replacement} replacement characters (�); it was wrongly decoded")
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text[:20000]):
        raise IngestError(f"{name}: no Chinese text found; is this the right file or the right encoding?")
    return text
