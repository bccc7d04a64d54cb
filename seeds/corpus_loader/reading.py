"""Reading a corpus file: YAML, UTF-8, known sections only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from seeds.errors import SeedError

SECTIONS = [
    "document",
    "sources",
    "localities",
    "organisations",
    "people",
    "positions",
    "initiatives",
    "cases",
    "metrics",
]


def read_corpus(path: Path) -> dict[str, Any]:
    """The file's sections, checked for shape (a mapping of known sections); a SeedError otherwise."""
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SeedError(file, f"cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise SeedError(file, f"not UTF-8 ({error.reason} at byte {error.start})") from None
    except yaml.YAMLError as error:
        raise SeedError(file, f"invalid YAML: {error}") from None
    if not isinstance(data, dict):
        raise SeedError(file, "must be a YAML mapping with sections " + ", ".join(SECTIONS))
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise SeedError(file, f"unknown section(s) {', '.join(unknown)}; allowed: {', '.join(SECTIONS)}")
    return data
