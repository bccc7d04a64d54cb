"""Versioned cache files: tables that are slow to build and quick to read back (jieba, gazetteer).

Each file holds one marshalled value behind a header naming its format, the version of the data it
was built from (a digest of the inputs, library versions included) and a checksum of the payload.
``read`` returns the value only when all three match: a stale file (other inputs), a damaged one
(truncated, overwritten) or a foreign one reads as absent and the caller rebuilds it, never crashes.
``write`` writes beside the target and renames, so a concurrent reader sees the old file or the new
one, never half of one.

A table whose inputs alternate (the search words of the data sets a test run switches between, the
place tables of two databases' states) keeps one file per version (``read_version``,
``write_version``), the newest ``KEEP_VERSIONS`` of each: switching back reads the file again where
a single file per table was overwritten by every switch and rebuilt.

marshal, not pickle: it loads these tables (dicts and sets of short strings) about as fast and
cannot run code from a tampered file; values are limited to builtin types.

Big string-keyed tables are stored by first character (``first_character_rows``) and read back as
a ``FirstCharacterTable``, which unpacks a character's row the first time a text has it: building
a dict of half a million keys (hashing each) was most of what a fresh process spent reading them,
and one text needs a fraction of the rows.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import threading
from pathlib import Path
from typing import Any

MAGIC = b"governance-cache 1\n"
KEEP_VERSIONS = 4
logger = logging.getLogger(__name__)
_fill_lock = threading.RLock()


def version(*parts: bytes | str) -> str:
    """A digest naming the inputs a table was built from (file contents, names, library versions)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).hexdigest().encode()


def read_any(path: Path) -> tuple[str, Any] | None:
    """The version and value stored at ``path``, whatever the version; None when missing or damaged."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    version_end = content.find(b"\n", len(MAGIC))
    if not content.startswith(MAGIC) or version_end < 0:
        return None
    payload_start = version_end + len(_checksum(b"")) + 2
    payload = memoryview(content)[payload_start:]
    if content[version_end + 1 : payload_start] != _checksum(payload) + b"\n":
        return None
    try:
        return content[len(MAGIC) : version_end].decode(), marshal.loads(payload)
    except (EOFError, ValueError, TypeError, UnicodeDecodeError):
        return None


def read(path: Path, data_version: str) -> Any | None:
    """The value stored at ``path`` for ``data_version``; None when missing, stale or damaged."""
    found = read_any(path)
    return found[1] if found is not None and found[0] == data_version else None


def first_character_rows(table: dict[str, Any]) -> dict[str, bytes]:
    """``table`` split by the first character of its keys, each part marshalled (for ``write``)."""
    parts: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        parts.setdefault(key[:1], {})[key] = value
    return {first: marshal.dumps(part) for first, part in parts.items()}


class FirstCharacterTable(dict):
    """A string-keyed dict read from ``first_character_rows``, a first character's row at a time.

    ``fill(text)`` puts in the rows of the characters of ``text``; ``get`` and ``[]`` fill the
    row of the key they are given (once every row is in, ``get`` is the plain dict's). ``in`` is
    the plain dict's (the callers' inner loops need its speed): it is right once the key's first
    character is filled, which the caller ensures.
    ``overlay`` (rows of the same form) replaces the rows' values and adds keys as each row goes
    in; iterating, comparing or copying fills every row first. ``rows`` and ``overlay`` may be
    shared by several tables: they are not changed.
    """

    def __init__(self, rows: dict[str, bytes], overlay: dict[str, bytes] | None = None):
        super().__init__()
        self._rows = rows
        self._overlay = overlay or {}
        self._filled: set[str] = set()
        self._unfilled_rows = rows.keys() | self._overlay.keys()

    def fill(self, text: str) -> None:
        """Put in the rows of every character of ``text`` not filled yet."""
        if self._filled.issuperset(text):
            return
        with _fill_lock:
            for char in set(text) - self._filled:
                row, extra = self._rows.get(char), self._overlay.get(char)
                found = marshal.loads(row) if row is not None else {}
                if extra is not None:
                    found.update(marshal.loads(extra))
                # One update: a thread reading the row meanwhile sees all of it or none of it.
                dict.update(self, found)
                self._filled.add(char)
                self._unfilled_rows.discard(char)
            if not self._unfilled_rows:
                # Every row is in: lookups need no check, so ``get`` is the plain dict's (the
                # tokeniser's inner loops call it a million times per thousand documents).
                self.get = dict.get.__get__(self)

    def fill_all(self) -> None:
        self.fill("".join(self._rows) + "".join(self._overlay))

    def get(self, key, default=None):
        if key[:1] not in self._filled:
            self.fill(key[:1])
        return dict.get(self, key, default)

    def __missing__(self, key):
        if not key or key[:1] in self._filled:
            raise KeyError(key)
        self.fill(key[:1])
        return self[key]

    def __setitem__(self, key, value) -> None:
        self.fill(key[:1])
        dict.__setitem__(self, key, value)

    def update(self, *args, **kwargs) -> None:
        changes = dict(*args, **kwargs)
        self.fill("".join(key[:1] for key in changes))
        dict.update(self, changes)

    def __bool__(self) -> bool:
        return bool(self._rows or self._overlay or dict.__len__(self))

    def copy(self) -> dict[str, Any]:
        self.fill_all()
        return dict(self)

    def __iter__(self):
        self.fill_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self.fill_all()
        return dict.__len__(self)

    def keys(self):
        self.fill_all()
        return dict.keys(self)

    def values(self):
        self.fill_all()
        return dict.values(self)

    def items(self):
        self.fill_all()
        return dict.items(self)

    def __eq__(self, other: object) -> bool:
        self.fill_all()
        if isinstance(other, FirstCharacterTable):
            other.fill_all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]


def write(path: Path, data_version: str, value: Any) -> None:
    """Store ``value`` for ``data_version``; a failure to write only costs the next process a rebuild."""
    payload = marshal.dumps(value)
    header = MAGIC + data_version.encode() + b"\n" + _checksum(payload) + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(header + payload)
        tmp.replace(path)
    except OSError as error:
        # A read-only deployment: every process builds its own tables, slower but correct.
        logger.warning("cache file %s not written: %s", path, error)


def versioned_path(directory: Path, stem: str, data_version: str) -> Path:
    """The file holding ``stem``'s table for ``data_version``."""
    return directory / f"{stem}-{data_version[:16]}.marshal"


def read_version(directory: Path, stem: str, data_version: str) -> Any | None:
    """``read`` of the file ``write_version`` wrote for ``data_version``."""
    return read(versioned_path(directory, stem, data_version), data_version)


def write_version(directory: Path, stem: str, data_version: str, value: Any) -> None:
    """``write`` to ``versioned_path``, then delete all but the newest ``KEEP_VERSIONS`` of ``stem``'s files."""
    write(versioned_path(directory, stem, data_version), data_version, value)
    try:
        files = sorted(directory.glob(f"{stem}-*.marshal"), key=lambda path: path.stat().st_mtime_ns, reverse=True)
        for stale in files[KEEP_VERSIONS:]:
            stale.unlink(missing_ok=True)
    except OSError as error:  # another process pruning at the same time, or a read-only directory
        logger.warning("old cache files of %s not removed: %s", stem, error)
