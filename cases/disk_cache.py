"""Versioned cache files: tables that are slow to build and quick to read back (jieba, gazetteer).

Each file holds one marshalled value behind a header naming its format, the version of the data it
was built from (a digest of the inputs, library versions included) and a checksum of the payload.
``read`` returns the value only when all three match: a stale file (other inputs), a damaged one
(truncated, overwritten) or a foreign one reads as absent and the caller rebuilds it, never crashes.
``write`` writes beside the target and renames, so a concurrent reader sees the old file or the new
one, never half of one.

marshal, not pickle: it loads these tables (dicts and sets of short strings) about as fast and
cannot run code from a tampered file; values are limited to builtin types.
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
logger = logging.getLogger(__name__)


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
