"""The generic dictionaries under ``cases/extraction/data/``, loaded once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
# libyaml's safe loader where PyYAML is built with it (its wheels are): the same data as
# ``yaml.safe_load`` in a twentieth of the time (130 ms of a first extraction otherwise).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(name: str) -> Any:
    return yaml.load((DATA_DIR / name).read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    single: set[str] = set()
    compound: set[str] = set()
    for line in (DATA_DIR / "surnames.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > 2:
            single.update(line)
        else:
            compound.add(line)
    return frozenset(single), frozenset(compound)


SURNAMES, COMPOUND_SURNAMES = _surnames()


def _words(name: str) -> frozenset[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


# Given-name words of names without a surname (Tibetan, Mongolian): see the file's header.
MINORITY_NAME_WORDS = _words("minority_names.txt")


def is_minority_name(name: str) -> bool:
    """One or two given-name words of a name without a surname (乌兰, 尼玛次仁)."""
    return name in MINORITY_NAME_WORDS or any(
        name[:k] in MINORITY_NAME_WORDS and name[k:] in MINORITY_NAME_WORDS for k in range(2, len(name) - 1)
    )


@cache
def organisations() -> dict[str, Any]:
    return _yaml("organisations.yaml")


@cache
def central_bodies() -> list[dict[str, Any]]:
    return _yaml("central_bodies.yaml")


@cache
def people() -> dict[str, Any]:
    return _yaml("people.yaml")


@cache
def metrics() -> dict[str, Any]:
    return _yaml("metrics.yaml")


@cache
def dates() -> dict[str, Any]:
    return _yaml("dates.yaml")
