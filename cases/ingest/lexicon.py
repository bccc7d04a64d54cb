"""The generic dictionaries under ``cases/ingest/data/``, loaded once per process."""

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
