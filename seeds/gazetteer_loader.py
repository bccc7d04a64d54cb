"""Load the national gazetteer (seeds/gazetteer/divisions.csv) into the locality tree."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from cases.models import Level, Locality, LocalityAlias
from cases.models.places import CODE_LENGTHS, PLACEHOLDER_NAMES
from seeds.errors import SeedError

GAZETTEER_CSV = Path(__file__).resolve().parent / "gazetteer" / "divisions.csv"
COUNTRY_NAME = "中华人民共和国"
COUNTRY_ALIASES = ("中国", "全国")
COLUMNS = ["code", "name", "level", "parent_code", "aliases"]
LEVELS = [Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP]


@dataclass
class Division:
    code: str
    name: str
    level: str
    parent_code: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class GazetteerResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    aliases_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.aliases_created)


def country() -> Locality:
    """The root of the tree; created on first use."""
    root = Locality.objects.filter(level=Level.COUNTRY).first()
    if root is None:
        root = Locality.objects.create(name=COUNTRY_NAME, name_en="China", level=Level.COUNTRY)
    for alias in COUNTRY_ALIASES:
        LocalityAlias.objects.get_or_create(locality=root, name=alias)
    return root


def read_divisions(path: Path, *, prefixes: Iterable[str] | None = None) -> list[Division]:
    """Parse and check the CSV; ``prefixes`` keeps only rows under (or above) those codes."""
    name = str(path)
    wanted = tuple(prefixes or ())
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise SeedError(name, f"cannot open: {error.strerror}") from None
    rows: list[Division] = []
    seen: set[str] = set()
    with handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise SeedError(name, f"header must be {','.join(COLUMNS)}, not {','.join(reader.fieldnames or [])}")
        for line, raw in enumerate(reader, start=2):
            record = f"line {line}"
            code, level, parent_code = raw["code"], raw["level"], raw["parent_code"]
            if level not in CODE_LENGTHS or level not in LEVELS:
                raise SeedError(name, f"unknown level {level!r}", record=record, field="level")
            if not code.isdigit() or len(code) != CODE_LENGTHS[level]:
                raise SeedError(name, f"malformed {level} code {code!r}", record=record, field="code")
            if code in seen:
                raise SeedError(name, f"duplicate code {code}", record=record, field="code")
            if level == Level.PROVINCE:
                if parent_code:
                    raise SeedError(name, "a province has no parent", record=record, field="parent_code")
            elif parent_code not in seen:
                raise SeedError(
                    name,
                    f"unknown parent {parent_code!r} (parents must come first)",
                    record=record,
                    field="parent_code",
                )
            elif not code.startswith(parent_code):
                raise SeedError(name, f"code {code} is not under its parent {parent_code}", record=record, field="code")
            if not raw["name"].strip():
                raise SeedError(name, "empty name", record=record, field="name")
            seen.add(code)
            if wanted and not any(code.startswith(p) or p.startswith(code) for p in wanted):
                continue
            aliases = [a for a in raw["aliases"].split("|") if a]
            rows.append(Division(code, raw["name"].strip(), level, parent_code, aliases))
    return rows


def _full_name(division: Division, parent_full_name: str) -> str:
    if division.name in PLACEHOLDER_NAMES:
        return parent_full_name
    return parent_full_name + division.name


@transaction.atomic
def load_gazetteer(
    path: Path | None = None, *, limit_codes_prefixes: Iterable[str] | None = None, progress: bool = True
) -> GazetteerResult:
    """Create or update every division in the CSV; a second run changes nothing.

    Rows are inserted in bulk, level by level, with their materialized paths computed
    from the codes (no per-row save). History is not recorded for the reference data.
    """
    path = path or GAZETTEER_CSV
    divisions = read_divisions(path, prefixes=limit_codes_prefixes)
    result = GazetteerResult(rows=len(divisions))
    root = country()
    existing = {
        loc.code: loc
        for loc in Locality.objects.filter(code__isnull=False).only(
            "id", "code", "name", "level", "parent_id", "path", "full_name"
        )
    }
    by_code: dict[str, Locality] = dict(existing)
    bar = tqdm(total=len(divisions), desc="gazetteer", unit=" places", disable=not progress, leave=False)
    for level in LEVELS:
        new: list[Locality] = []
        for division in (d for d in divisions if d.level == level):
            parent = by_code[division.parent_code] if division.parent_code else root
            full_name = _full_name(division, parent.full_name if parent.level != Level.COUNTRY else "")
            current = existing.get(division.code)
            if current is None:
                loc = Locality(
                    name=division.name,
                    level=level,
                    parent=parent,
                    code=division.code,
                    path=f"{parent.path}{division.code}/",
                    full_name=full_name,
                )
                new.append(loc)
                by_code[division.code] = loc
            elif (current.name, current.level, current.parent_id) != (division.name, level, parent.id):
                current.name, current.level, current.parent = division.name, level, parent
                current.save()  # save() recomputes paths and full names beneath
                result.updated += 1
        Locality.objects.bulk_create(new, batch_size=2000)
        result.created += len(new)
        bar.update(sum(1 for d in divisions if d.level == level))
    bar.close()
    result.aliases_created = _load_aliases(divisions, by_code)
    return result


def _load_aliases(divisions: list[Division], by_code: dict[str, Locality]) -> int:
    wanted = {(by_code[d.code].pk, alias) for d in divisions for alias in d.aliases}
    if not wanted:
        return 0
    have = set(LocalityAlias.objects.filter(locality__code__isnull=False).values_list("locality_id", "name"))
    missing = [LocalityAlias(locality_id=pk, name=name) for pk, name in sorted(wanted - have)]
    LocalityAlias.objects.bulk_create(missing, batch_size=2000)
    return len(missing)
