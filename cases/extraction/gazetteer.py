"""Finding gazetteer places in text: an automaton over upper-level names, a table of village names.

Coded places from the province to the township level (44,703, with their aliases) are held in
memory with their rows, in an Aho-Corasick automaton over their names and aliases, cached on disk
compiled (``Gazetteer.compile``: the automaton's own state, the rows as columns) and read back
without rebuilding either; a Place is made for a row when a text matches it. The 620,573
coded villages and communities are matched through their place names and short forms (东于架村,
东于架; committee names are left out, as 长城社区 already matches inside 长城社区居民委员会), held as
a table from a word's first two characters to the rest of every word that starts so. The table is
built once per version of the data and cached on disk (``settings.GAZETTEER_CACHE_DIR``,
``cases.disk_cache``): a fresh process reads it in a fifth of a second (the automaton it replaces
took 0.9 s to load, as a 34 MB file) and ``preload_villages`` can read it in a background thread
before it is needed. The candidate rows of a matched word are read from the database when a text
needs them. Compounds and other uncoded places are found by pattern in
``places.new_place_mentions`` and proposed as new children.
"""

from __future__ import annotations

import array
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
from django.conf import settings
from django.db import connection
from django.db.models import Max, Q

from cases import disk_cache
from cases.models import Level, Locality, LocalityAlias
from cases.models.places import PLACEHOLDER_NAMES

# pyahocorasick's build, for the automaton state cached with the gazetteer (its file, not its
# metadata: importlib.metadata costs a tenth of a second to read a version).
_AHOCORASICK_VERSION = repr((Path(ahocorasick.__file__).stat().st_size, Path(ahocorasick.__file__).stat().st_mtime_ns))
GAZETTEER_LEVELS = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP)
LEVEL_RANK = {
    Level.COUNTRY: 0,
    Level.PROVINCE: 1,
    Level.PREFECTURE: 2,
    Level.COUNTY: 3,
    Level.TOWNSHIP: 4,
    Level.COMMUNITY: 5,
    Level.COMPOUND: 6,
}
ADMIN_SUFFIXES = (
    "省",
    "市",
    "县",
    "区",
    "旗",
    "州",
    "盟",
    "街道",
    "镇",
    "乡",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "苏木",
    "林区",
    "特区",
    "农场",
    "开发区",
)


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]

    def is_ancestor_of(self, other: Place) -> bool:
        return other.code != self.code and other.code.startswith(self.code)


@dataclass(frozen=True)
class Entry:
    place: Place
    # A bare short form (成都, 青羊) rather than a name with its administrative suffix.
    is_short: bool


# Aliases ending so are committee names (长城社区居民委员会): the place name inside them matches.
COMMITTEE_ENDINGS = ("委员会", "委会")
# A level-5 word ending so names the place in full (东于架村); anything else is a short form (东于架).
VILLAGE_NAME_ENDINGS = ("社区", "村", "嘎查", "居委会", "生活区", "管理区", "委员会")


# Separates the words of one row of the village table; no place name contains it.
_SEPARATOR = "\n"


class VillageIndex:
    """Level-5 names and short forms by their first two characters; candidates come from the database.

    ``table`` maps the first two characters of a word to the lengths of the rest of its words
    (ascending, as bytes) and the rests themselves, each between separators: 东于 → (b"\\x01\\x02",
    "\\n架\\n架村\\n"). A dict of 146,467 short rows loads three times faster than a set of the
    566,114 words, and in two thirds of the memory. Read from the disk cache it is a
    ``disk_cache.FirstCharacterTable``: ``find`` fills the rows of the characters of its text.
    """

    def __init__(self, table: dict[str, tuple[bytes, str]] | None):
        self.table = table

    @classmethod
    def from_words(cls, words: set[str]) -> VillageIndex:
        rests: dict[str, list[str]] = {}
        for word in words:
            if len(word) >= 2 and _SEPARATOR not in word:
                rests.setdefault(word[:2], []).append(word[2:])
        return cls(
            {
                head: (
                    bytes(sorted({len(rest) for rest in found})),
                    _SEPARATOR + _SEPARATOR.join(sorted(found)) + _SEPARATOR,
                )
                for head, found in rests.items()
            }
        )

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every match, overlapping ones included: (start, end, word), by end, the longest first."""
        if not self.table:
            return []
        found = []
        for start in range(len(text) - 1):
            row = self.table.get(text[start : start + 2])
            if row is None:
                continue
            lengths, rests = row
            for length in lengths:
                end = start + 2 + length
                if end > len(text):
                    break
                if f"{_SEPARATOR}{text[start + 2 : end]}{_SEPARATOR}" in rests:
                    found.append((start, end, text[start:end]))
        found.sort(key=lambda match: (match[1], match[0]))
        return found

    @staticmethod
    def candidates(words: set[str]) -> dict[str, list[Place]]:
        """The coded villages and communities each word names (two indexed queries)."""
        if not words:
            return {}
        rows = Locality.objects.filter(level=Level.COMMUNITY, code__isnull=False)
        found: dict[str, list[Place]] = {}
        for row in rows.filter(name__in=words).values_list("id", "code", "name", "level", "parent_id"):
            found.setdefault(row[2], []).append(Place(*row))
        aliases = LocalityAlias.objects.filter(
            name__in=words, locality__level=Level.COMMUNITY, locality__code__isnull=False
        ).values_list(
            "name", "locality_id", "locality__code", "locality__name", "locality__level", "locality__parent_id"
        )
        seen = {(word, p.id) for word, places in found.items() for p in places}
        for word, *row in aliases:
            if (word, row[0]) not in seen:  # a set: a common short form has thousands of rows
                seen.add((word, row[0]))
                found.setdefault(word, []).append(Place(*row))
        return found


def is_full_village_name(word: str) -> bool:
    return word.endswith(VILLAGE_NAME_ENDINGS)


class _Entries(Mapping):
    """A name's entries, as ``Gazetteer.entries`` reads them, built at the first lookup of the name.

    ``specs[i]`` lists the entries of ``names[i]`` as ``row index × 2 + is_short`` over the rows;
    the automaton maps a name to ``i``. A fresh process reads these lists and rows from the disk
    cache and builds the Place and Entry objects of the few hundred names a text matches, not the
    44,703 places and their aliases (0.4 s).
    """

    def __init__(self, gazetteer: Gazetteer, names: list[str], specs: list[tuple[int, ...]]):
        self._gazetteer, self._names, self._specs = gazetteer, names, specs
        self._built: dict[int, tuple[Entry, ...]] = {}

    def at(self, index: int) -> tuple[Entry, ...]:
        found = self._built.get(index)
        if found is None:
            place = self._gazetteer.place
            found = tuple(Entry(place(spec >> 1), is_short=bool(spec & 1)) for spec in self._specs[index])
            self._built[index] = found
        return found

    def __getitem__(self, name: str) -> tuple[Entry, ...]:
        index = self._gazetteer.automaton.get(name, None) if self._names else None
        if index is None:
            raise KeyError(name)
        return self.at(index)

    def __contains__(self, name: object) -> bool:
        return bool(self._names) and isinstance(name, str) and self._gazetteer.automaton.exists(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _columns(rows: list[tuple]) -> tuple[bytes, str, str, str, bytes]:
    """Place rows (id, code, name, level, parent id) as columns: read back in a fifth of the time of
    44,703 tuples. Ids as ``array("q")`` bytes (-1: no parent), strings joined by newlines."""
    ids, codes, names, levels, parents = zip(*rows, strict=True) if rows else ((), (), (), (), ())
    return (
        array.array("q", ids).tobytes(),
        "\n".join(codes),
        "\n".join(names),
        "\n".join(levels),
        array.array("q", [-1 if parent is None else parent for parent in parents]).tobytes(),
    )


class _Rows:
    """The columns of ``_columns``, indexed by row: ``rows[i]`` is the row as a tuple."""

    def __init__(self, ids: bytes, codes: str, names: str, levels: str, parents: bytes):
        self.ids, self._parents = array.array("q"), array.array("q")
        self.ids.frombytes(ids)
        self._parents.frombytes(parents)
        self._codes, self._names, self._levels = codes.split("\n"), names.split("\n"), levels.split("\n")

    def __getitem__(self, i: int) -> tuple:
        parent = self._parents[i]
        return (self.ids[i], self._codes[i], self._names[i], self._levels[i], None if parent < 0 else parent)


class Gazetteer:
    """Places of levels 1–4 by name (``find``, ``entries``), built from rows or read back compiled.

    ``compile`` turns the rows into what ``find`` needs (the names, their entries as row indexes,
    the automaton's own state as bytes), all of builtin types, so that ``disk_cache`` can store it;
    ``from_compiled`` reads it back without adding a word to an automaton or making a Place per row.
    """

    villages: VillageIndex = VillageIndex(None)

    def __init__(self, places: list[Place], aliases: list[tuple[int, str]]):
        self._setup(*self.compile([tuple(vars(place).values()) for place in places], aliases))

    @staticmethod
    def compile(rows: list[tuple], aliases: list[tuple[int, str]]) -> tuple:
        """(row columns, names, specs, automaton state) from the places' rows and their aliases."""
        index_of = {row[0]: i for i, row in enumerate(rows)}
        entries: dict[str, list[int]] = {}  # name → row index × 2 + is_short, in the order found
        ids: dict[str, set[int]] = {}
        for i, row in enumerate(rows):
            name = row[2]
            if name in PLACEHOLDER_NAMES or len(name) < 2:
                continue
            entries.setdefault(name, []).append(i * 2)
            ids.setdefault(name, set()).add(row[0])
        for locality_id, name in aliases:
            i = index_of.get(locality_id)
            if i is None or len(name) < 2 or name in PLACEHOLDER_NAMES:
                continue
            if locality_id in ids.get(name, ()):
                continue
            entries.setdefault(name, []).append(i * 2 + (not name.endswith(ADMIN_SUFFIXES)))
            ids.setdefault(name, set()).add(locality_id)
        names = list(entries)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for n, name in enumerate(names):
            automaton.add_word(name, n)
        state = None
        if names:
            automaton.make_automaton()
            state = automaton.__reduce__()[1]
        return _columns(rows), names, [tuple(entries[name]) for name in names], state

    @classmethod
    def from_compiled(cls, compiled: tuple) -> Gazetteer:
        gazetteer = cls.__new__(cls)
        gazetteer._setup(*compiled)
        return gazetteer

    def _setup(self, columns: tuple, names: list[str], specs: list[tuple[int, ...]], state) -> None:
        self._rows = _Rows(*columns)
        self._places: dict[int, Place] = {}
        self._by_id: dict[int, int] | None = None
        # The automaton's own pickled state, given back to its constructor (pyahocorasick's __reduce__).
        self.automaton = ahocorasick.Automaton(*state) if state is not None else ahocorasick.Automaton()
        self.entries = _Entries(self, names, specs)

    def place(self, index: int) -> Place:
        """The Place of row ``index`` (one object per row, made when first needed)."""
        found = self._places.get(index)
        if found is None:
            found = self._places[index] = Place(*self._rows[index])
        return found

    def find(self, text: str) -> list[tuple[int, int, str, tuple[Entry, ...]]]:
        """Longest non-overlapping matches, left to right: (start, end, name, entries)."""
        if not self.entries:
            return []
        found = []
        names, at = self.entries._names, self.entries.at
        for end_index, index in self.automaton.iter_long(text):
            name = names[index]
            start = end_index - len(name) + 1
            found.append((start, end_index + 1, name, at(index)))
        return found

    def parent(self, place: Place) -> Place | None:
        if not place.parent_id:
            return None
        if self._by_id is None:
            self._by_id = {locality_id: i for i, locality_id in enumerate(self._rows.ids)}
        index = self._by_id.get(place.parent_id)
        return self.place(index) if index is not None else None


_lock = threading.Lock()
_cache: dict[str, object] = {}
# Village tables being read from disk in a background thread, by cache file.
_preloads: dict[Path, _Preload] = {}


def _upper_places():
    # No ordering: the default one (by path) scans the path index of all 665,276 places.
    return Locality.objects.filter(code__isnull=False, level__in=GAZETTEER_LEVELS).order_by()


def _last_saved(*levels: str) -> int | None:
    """The newest history row of a coded place of ``levels``: every ``save()`` writes one.

    Renames and moves go through ``save()``, from the admin and from ``load_seeds`` alike (new
    rows are bulk-inserted, without history, and show in the counts). The history table holds
    only saved rows, not the 665,276 bulk-loaded ones, so this reads little.
    """
    history = Locality.history.model.objects.filter(code__isnull=False, level__in=levels)
    return history.aggregate(m=Max("history_id"))["m"]


def _upper_fingerprint() -> tuple:
    """Changes when a coded place of levels 1–4 or an alias is added, removed or changed.

    Counts on the (level, code) index and the alias index, the highest alias id and the newest
    save of such a place (an alias edited in the admin saves its place too): a few milliseconds,
    where counting all 665,276 places and 1.1 million aliases took a fifth of a second per
    extraction, and missed renames.
    """
    upper = _upper_places()
    aliases = LocalityAlias.objects.filter(locality__in=upper.values("pk")).count()
    last_alias = LocalityAlias.objects.aggregate(m=Max("id"))["m"]
    return (upper.count(), aliases, last_alias, _last_saved(*GAZETTEER_LEVELS))


def _village_fingerprint() -> tuple:
    """Changes when a coded village or community is added, removed or saved, or any alias is added.

    An uncoded place (a compound an editor accepts) changes nothing here: the table is rebuilt
    only for new data. A removed alias is not seen, and need not be: a word in the table that no
    row carries any more finds no candidate (``VillageIndex.candidates`` reads the database).
    """
    villages = Locality.objects.filter(level=Level.COMMUNITY, code__isnull=False).order_by()
    # Two statements: SQLite counts on the covering (level, code) index and finds the highest id
    # apart in 2 ms; asked for both at once it reads every row (0.13 s against 0.06 s).
    found = {"n": villages.count(), **villages.aggregate(m=Max("id"))}
    last_alias = LocalityAlias.objects.aggregate(m=Max("id"))["m"]
    return (found["n"], found["m"], last_alias, _last_saved(Level.COMMUNITY))


def _village_words() -> set[str]:
    villages = Locality.objects.filter(level=Level.COMMUNITY, code__isnull=False).order_by()
    words = set(villages.values_list("name", flat=True).iterator(chunk_size=20000))
    committee = Q()
    for ending in COMMITTEE_ENDINGS:
        committee |= Q(name__endswith=ending)
    aliases = LocalityAlias.objects.filter(locality__in=villages.values("pk")).exclude(committee)
    words.update(aliases.values_list("name", flat=True).iterator(chunk_size=20000))
    return {word for word in words if len(word) >= 2}


def _villages_path() -> Path:
    """One file per database; the version of its data is inside (``disk_cache``)."""
    database = disk_cache.version(connection.vendor, str(connection.settings_dict.get("NAME")))[:16]
    return Path(settings.GAZETTEER_CACHE_DIR) / f"villages-{database}.marshal"


class _Preload(threading.Thread):
    """Reads a village table file (no database: a thread of its own would see other data)."""

    def __init__(self, path: Path):
        super().__init__(name="village-table", daemon=True)
        self.path = path
        self.found: tuple[str, object] | None = None

    def run(self) -> None:
        self.found = disk_cache.read_any(self.path)


def preload_villages() -> None:
    """Start reading this database's village table from disk, if it is not read or being read."""
    path = _villages_path()
    with _lock:
        if path in _preloads or "gazetteer" in _cache:
            return
        _preloads[path] = preload = _Preload(path)
    preload.start()


def _village_version(fingerprint: tuple) -> str:
    # The words chosen and the table's layout are part of the version, with the data's fingerprint.
    return disk_cache.version(
        "villages 2 (VillageIndex.table by first character)", repr(COMMITTEE_ENDINGS), repr(fingerprint)
    )


def village_index(fingerprint: tuple) -> VillageIndex:
    """The level-5 table for this version of the data: from the disk cache, else built and saved."""
    path = _villages_path()
    version = _village_version(fingerprint)
    preload = _preloads.pop(path, None)
    if preload is not None:
        preload.join()
        found = preload.found
    else:
        found = disk_cache.read_any(path)
    if found is not None and found[0] == version and isinstance(found[1], dict):
        return VillageIndex(disk_cache.FirstCharacterTable(found[1]))
    index = VillageIndex.from_words(_village_words())
    disk_cache.write(path, version, disk_cache.first_character_rows(index.table))
    return index


def _upper_stem() -> str:
    database = disk_cache.version(connection.vendor, str(connection.settings_dict.get("NAME")))[:16]
    return f"upper-{database}"


def _upper_compiled(fingerprint: tuple) -> tuple:
    """The places of levels 1–4 and their aliases, compiled (``Gazetteer.compile``): from the disk
    cache, else read from the database, compiled and saved."""
    directory, stem = Path(settings.GAZETTEER_CACHE_DIR), _upper_stem()
    # The compiled layout and pyahocorasick's version are part of the version (its state's format).
    version = disk_cache.version(
        "upper places 3 (Gazetteer.compile, row columns)", _AHOCORASICK_VERSION, repr(ADMIN_SUFFIXES), repr(fingerprint)
    )
    cached = disk_cache.read_version(directory, stem, version)
    if isinstance(cached, tuple) and len(cached) == 4:
        return cached
    # Level by level in code order (the order of their paths, as before): the (level, code) index.
    rows = sorted(
        (
            row
            for level in GAZETTEER_LEVELS
            for row in _upper_places().filter(level=level).values_list("id", "code", "name", "level", "parent_id")
        ),
        key=lambda row: row[1],
    )
    # A subquery on the (level, code) index, then the alias index: not a scan of 1.1M aliases.
    aliases = list(
        LocalityAlias.objects.filter(locality__in=_upper_places().values("pk")).values_list("locality_id", "name")
    )
    compiled = Gazetteer.compile(rows, aliases)
    disk_cache.write_version(directory, stem, version, compiled)
    return compiled


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, rebuilt when its tables change (a few indexed queries)."""
    upper, villages = _upper_fingerprint(), _village_fingerprint()
    with _lock:
        if _cache.get("upper") != upper:
            gazetteer = Gazetteer.from_compiled(_upper_compiled(upper))
            previous = _cache.get("gazetteer")
            gazetteer.villages = previous.villages if previous is not None else VillageIndex(None)
            _cache["gazetteer"], _cache["upper"] = gazetteer, upper
        gazetteer = _cache["gazetteer"]
        if _cache.get("villages") != villages:
            gazetteer.villages = village_index(villages)
            _cache["villages"] = villages
        return gazetteer  # type: ignore[return-value]
