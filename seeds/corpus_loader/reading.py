"""Reading a corpus file: YAML, UTF-8, known sections only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from seeds.errors import SeedError


def read_corpus(path: Path, sections: list[str]) -> dict[str, Any]:
    """The file's sections, checked for shape (a mapping of only these sections); a SeedError otherwise."""
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
        raise SeedError(file, "must be a YAML mapping with sections " + ", ".join(sections))
    unknown = sorted(set(data) - set(sections))
    if unknown:
        raise SeedError(file, f"unknown section(s) {', '.join(unknown)}; allowed: {', '.join(sections)}")
    return data
