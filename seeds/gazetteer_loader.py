"""Load the national gazetteer (seeds/gazetteer/divisions.csv and villages.csv.xz) into the locality tree.

665,276 places: the first file holds provinces to townships, the second (xz-compressed, read with
``lzma``) the 620,573 villages and residents' committees. Both have the same columns. Every row is
checked before anything is written; a bad row stops the load with its file and line, and the
transaction leaves the database as it was.

Rows are written with one multi-row statement per level (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), with materialized paths and full names computed here from the codes, not by
``Locality.save()``. History is not recorded for reference data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import lzma
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from tqdm import tqdm

from cases.models import Level, Locality, LocalityAlias
from cases.models.places import CODE_LENGTHS, PLACEHOLDER_NAMES
from seeds.errors import SeedError
from seeds.models import SeedRecord

GAZETTEER_DIR = Path(__file__).resolve().parent / "gazetteer"
GAZETTEER_CSV = GAZETTEER_DIR / "divisions.csv"
VILLAGES_CSV = GAZETTEER_DIR / "villages.csv.xz"
# The full gazetteer, in the order it must load (parents first).
GAZETTEER_FILES: tuple[Path, ...] = (GAZETTEER_CSV, VILLAGES_CSV)
COUNTRY_NAME = "中华人民共和国"
COUNTRY_ALIASES = ("中国", "全国")
COLUMNS = ["code", "name", "level", "parent_code", "aliases"]
LEVELS = [Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.COMMUNITY]
# The code length of each level's parent (a community's parent is a 9-digit township).
PARENT_LENGTHS = {Level.PROVINCE: 0, Level.PREFECTURE: 2, Level.COUNTY: 4, Level.TOWNSHIP: 6, Level.COMMUNITY: 9}
_INSERT_COLUMNS = ("name", "name_en", "full_name", "level", "parent_id", "code", "path", "note")


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
    per_level: dict[str, int] = field(default_factory=dict)
    # True when the files' digest and the row counts matched the last load, so rows were not compared.
    skipped: bool = False
    digest: str = ""

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


def _lines(path: Path) -> Iterator[str]:
    name = str(path)
    try:
        if path.suffix == ".xz":
            handle = io.TextIOWrapper(lzma.open(path, "rb"), encoding="utf-8", newline="")  # noqa: SIM115
        else:
            handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise SeedError(name, f"cannot open: {error.strerror}") from None
    try:
        with handle:
            yield from handle
    except (lzma.LZMAError, EOFError) as error:
        raise SeedError(name, f"not a valid xz file: {error}") from None
    except UnicodeDecodeError as error:
        raise SeedError(name, f"not UTF-8: {error}") from None


def _wanted(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(p) or p.startswith(code) for p in prefixes)


class _NumberedLines:
    """A file's lines for ``csv.reader``: the header, then the rows whose code (the text before the
    first comma) is wanted, or all of them; ``number`` is the file line of the row read last (a
    row is one line: names hold no line breaks)."""

    def __init__(self, lines: Iterator[str], prefixes: tuple[str, ...]):
        self._lines = enumerate(lines, start=1)
        self._prefixes = prefixes
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        for number, text in self._lines:
            if number == 1 or not self._prefixes or _wanted(text.partition(",")[0], self._prefixes):
                self.number = number
                return text
        raise StopIteration


def read_divisions(
    paths: Path | Sequence[Path], *, prefixes: Iterable[str] | None = None, seen: set[str] | None = None
) -> list[Division]:
    """Parse and check the files in order; ``prefixes`` keeps only rows under (or above) those codes.

    A row is refused (``SeedError`` naming file and line) for an unknown level, a code that is not
    all digits or whose length does not fit the level, a duplicate code, a parent that is not the
    code's prefix for the level above or that no earlier row defines, or an empty name. With
    ``prefixes``, the rows left out are not parsed, so not checked either (a row's parent is never
    left out): a load limited to one province reads the 620,573 villages' file in a third of the time.
    """
    if isinstance(paths, Path):
        paths = [paths]
    wanted = tuple(prefixes or ())
    seen = set() if seen is None else seen
    rows: list[Division] = []
    for path in paths:
        name = str(path)
        numbered = _NumberedLines(_lines(path), wanted)
        reader = csv.reader(numbered)
        header = next(reader, None)
        if header != COLUMNS:
            raise SeedError(name, f"header must be {','.join(COLUMNS)}, not {','.join(header or [])}")
        for raw in reader:
            record = f"line {numbered.number}"
            if len(raw) != len(COLUMNS):
                raise SeedError(name, f"{len(raw)} fields, expected {len(COLUMNS)}", record=record)
            code, division_name, level, parent_code, aliases = raw
            if level not in PARENT_LENGTHS:
                raise SeedError(name, f"unknown level {level!r}", record=record, field="level")
            if not (code.isascii() and code.isdigit()) or len(code) != CODE_LENGTHS[level]:
                raise SeedError(
                    name,
                    f"malformed {level} code {code!r} (a {level} code has {CODE_LENGTHS[level]} digits)",
                    record=record,
                    field="code",
                )
            if code in seen:
                raise SeedError(name, f"duplicate code {code}", record=record, field="code")
            if level == Level.PROVINCE:
                if parent_code:
                    raise SeedError(name, "a province has no parent", record=record, field="parent_code")
            elif parent_code not in seen:
                raise SeedError(
                    name,
                    f"unknown parent {parent_code!r} of {code} (parents must come first)",
                    record=record,
                    field="parent_code",
                )
            elif parent_code != code[: PARENT_LENGTHS[level]]:
                raise SeedError(
                    name,
                    f"parent {parent_code!r} of {code} is not its {PARENT_LENGTHS[level]}-digit prefix",
                    record=record,
                    field="parent_code",
                )
            division_name = division_name.strip()
            if not division_name:
                raise SeedError(name, f"empty name for {code}", record=record, field="name")
            seen.add(code)
            rows.append(Division(code, division_name, level, parent_code, [a for a in aliases.split("|") if a]))
    return rows


def _full_name(name: str, parent_full_name: str) -> str:
    if name in PLACEHOLDER_NAMES:
        return parent_full_name
    return parent_full_name + name


def bulk_insert(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert many rows in one statement stream: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # Planner statistics for the rows just copied: without them PostgreSQL joined the 1.1 M
            # aliases to the places by nested loop (a count of the villages' aliases ran for minutes).
            cursor.execute(f"ANALYZE {quote(table)}")
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({column_list}) VALUES ({placeholders})", rows)


def files_digest(paths: Sequence[Path], prefixes: Iterable[str] | None) -> str:
    """sha256 over the files' bytes and the code filter: the version of the data being loaded."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(path.read_bytes())
        except OSError as error:
            raise SeedError(str(path), f"cannot open: {error.strerror}") from None
    digest.update("|".join(sorted(prefixes or ())).encode())
    return digest.hexdigest()


def _loaded_marker(digest: str) -> str:
    places = Locality.objects.filter(code__isnull=False).count()
    aliases = LocalityAlias.objects.count()
    return f"{digest} {places} {aliases}"


_MARKER = {"corpus": "gazetteer", "kind": "gazetteer.digest"}


@transaction.atomic
def load_gazetteer(
    path: Path | Sequence[Path] | None = None,
    *,
    divisions: list[Division] | None = None,
    limit_codes_prefixes: Iterable[str] | None = None,
    progress: bool = True,
    full_check: bool = False,
) -> GazetteerResult:
    """Create or update every division in the files; a second run changes nothing.

    When the files' digest and the row counts equal those recorded by the last load, the rows
    are not compared again (``full_check=True`` compares them anyway; ``load_seeds
    --check-gazetteer``). ``divisions`` loads rows already read by ``read_divisions`` (tests).
    """
    digest = ""
    if divisions is None:
        paths = GAZETTEER_FILES if path is None else ([path] if isinstance(path, Path) else list(path))
        digest = files_digest(paths, limit_codes_prefixes)
        if not full_check and SeedRecord.objects.filter(**_MARKER, key=_loaded_marker(digest)).exists():
            return GazetteerResult(skipped=True)
        divisions = read_divisions(paths, prefixes=limit_codes_prefixes)
    result = _load(divisions, progress=progress)
    result.digest = digest
    mark_loaded(digest)
    return result


def mark_loaded(digest: str) -> None:
    """Record the files' digest with the current row counts (``load_all`` calls it again at its end)."""
    if digest:
        SeedRecord.objects.filter(**_MARKER).delete()
        SeedRecord.objects.create(**_MARKER, key=_loaded_marker(digest), object_id=0)


# A load of at least this many rows into a table holding no coded place is a fresh load: it
# builds the secondary indexes (and on PostgreSQL checks the constraints) after the rows, and on
# SQLite takes a bigger page cache. Smaller loads (the test gazetteer, one province) insert into
# the indexes as they go.
FRESH_LOAD_ROWS = 100_000

# SQLite's page cache while loading (KiB): the name and path indexes of 665,000 rows are
# written in no useful order, and with the default few MiB each insert rereads index pages.
_LOAD_CACHE_KIB = 512 * 1024


# Constraints other than the primary key, and indexes that back no constraint, of the tables a
# fresh load fills (PostgreSQL).
_SECONDARY = """
    SELECT 'constraint', c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid)
      FROM pg_constraint c
     WHERE c.conrelid = ANY(%(tables)s::regclass[]) AND c.contype IN ('f', 'u', 'c')
    UNION ALL
    SELECT 'index', i.indexrelid::regclass::text, i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid)
      FROM pg_index i
     WHERE i.indrelid = ANY(%(tables)s::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


@contextmanager
def _secondary_structures_built_after(tables: Sequence[str]) -> Iterator[None]:
    """Fill the tables first and build their secondary indexes (and on PostgreSQL check their
    constraints) after: one sort per index instead of inserting each of 1.7 million rows into every
    index in no useful order (the names' indexes), and on PostgreSQL one join per foreign key
    instead of a queued check per row (half the fresh load's time was the server doing that, a
    sixth the commit running the queued checks). In the load's transaction, so a failed load leaves
    them as they were.
    """
    if connection.vendor == "postgresql":
        with _postgres_structures_built_after(tables):
            yield
        return
    # SQLite: the indexes declared apart from the tables (UNIQUE and CHECK constraints are part of
    # the table; their automatic indexes stay). In memory the rows went in in 9 s instead of 16 s
    # and the indexes took 3 s more; a fresh load_seeds into a file took 39 s instead of 46 s.
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(
            "SELECT name, sql FROM sqlite_master"
            f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
            list(tables),
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)


@contextmanager
def _postgres_structures_built_after(tables: Sequence[str]) -> Iterator[None]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Run the foreign-key checks already queued (the country row): a table with pending checks
        # cannot be altered. Django's foreign keys are all deferrable, deferred again below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_SECONDARY, {"tables": list(tables)})
        structures = cursor.fetchall()
        for kind, name, table, _ in structures:
            if kind == "constraint":
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            else:
                cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for kind, _name, _table, definition in structures:
            if kind == "index":
                cursor.execute(definition)
        for kind, name, table, definition in structures:
            if kind == "constraint":
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _load(divisions: list[Division], *, progress: bool) -> GazetteerResult:
    result = GazetteerResult(rows=len(divisions))
    if connection.vendor == "sqlite" and len(divisions) >= FRESH_LOAD_ROWS:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{_LOAD_CACHE_KIB}")
    root = country()
    # code -> (id, name, level, parent_id, path, full_name) of every coded place already loaded.
    existing = {
        row[0]: row[1:]
        for row in Locality.objects.filter(code__isnull=False)
        .values_list("code", "id", "name", "level", "parent_id", "path", "full_name")
        .iterator(chunk_size=20000)
    }
    if existing or len(divisions) < FRESH_LOAD_ROWS:
        return _load_levels(divisions, existing, root, result, progress=progress)
    with _secondary_structures_built_after([Locality._meta.db_table, LocalityAlias._meta.db_table]):
        return _load_levels(divisions, existing, root, result, progress=progress)


def _load_levels(
    divisions: list[Division], existing: dict, root: Locality, result: GazetteerResult, *, progress: bool
) -> GazetteerResult:
    # code -> (id, path, full_name), filled level by level; the country is the parent of provinces.
    known: dict[str, tuple[int, str, str]] = {"": (root.pk, root.path, "")}
    for code, (pk, _, _, _, place_path, full_name) in existing.items():
        known[code] = (pk, place_path, full_name)
    by_level: dict[str, list[Division]] = {level: [] for level in LEVELS}
    for division in divisions:
        by_level[division.level].append(division)
    bar = tqdm(total=len(divisions), desc="gazetteer", unit=" places", disable=not progress, leave=False)
    table = Locality._meta.db_table
    for level in LEVELS:
        new_rows: list[tuple] = []
        for division in by_level[level]:
            parent_id, parent_path, parent_full_name = known[division.parent_code]
            current = existing.get(division.code)
            if current is None:
                place_path = f"{parent_path}{division.code}/"
                full_name = _full_name(division.name, parent_full_name)
                new_rows.append((division.name, "", full_name, level, parent_id, division.code, place_path, ""))
                known[division.code] = (0, place_path, full_name)
            elif (current[1], current[2], current[3]) != (division.name, level, parent_id):
                locality = Locality.objects.get(pk=current[0])
                locality.name, locality.level, locality.parent_id = division.name, level, parent_id
                locality.save()  # save() recomputes paths and full names beneath
                known[division.code] = (locality.pk, locality.path, locality.full_name)
                result.updated += 1
        bulk_insert(table, _INSERT_COLUMNS, new_rows)
        result.created += len(new_rows)
        result.per_level[level] = len(by_level[level])
        if new_rows:
            ids = Locality.objects.filter(level=level, code__isnull=False).values_list("code", "id")
            for code, pk in ids.iterator(chunk_size=20000):
                entry = known[code]
                if entry[0] == 0:
                    known[code] = (pk, entry[1], entry[2])
        bar.update(len(by_level[level]))
    bar.close()
    result.aliases_created = _load_aliases(divisions, known, fresh=not existing)
    return result


def _load_aliases(divisions: list[Division], known: dict[str, tuple[int, str, str]], *, fresh: bool) -> int:
    # In file order, which is locality order: the (locality, name) index is written sequentially.
    wanted = list(dict.fromkeys((known[d.code][0], alias) for d in divisions for alias in d.aliases))
    if not wanted:
        return 0
    if not fresh:
        have = set(
            LocalityAlias.objects.filter(locality__code__isnull=False)
            .values_list("locality_id", "name")
            .iterator(chunk_size=20000)
        )
        wanted = [pair for pair in wanted if pair not in have]
    bulk_insert(LocalityAlias._meta.db_table, ("locality_id", "name"), wanted)
    return len(wanted)
