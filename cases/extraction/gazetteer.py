"""Finding gazetteer places in text: Aho-Corasick automata over names and aliases.

Two automata. Coded places from the province to the township level (44,703, with their aliases)
are held in memory with their rows. The 620,573 coded villages and communities are matched by a
second automaton over their place names and short forms (东于架村, 东于架; committee names are
left out, as 长城社区 already matches inside 长城社区居民委员会). It stores only word lengths, is
built once per version of the data and cached on disk (``settings.GAZETTEER_CACHE_DIR``), so a
fresh process loads it in well under a second; the candidate rows of a matched word are read from
the database when a text needs them. Compounds and other uncoded places are found by pattern in
``places.new_place_mentions`` and proposed as new children.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q

from cases.models import Level, Locality, LocalityAlias
from cases.models.places import PLACEHOLDER_NAMES

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


class VillageIndex:
    """Level-5 names and short forms in an automaton; candidates come from the database."""

    def __init__(self, automaton: ahocorasick.Automaton | None):
        self.automaton = automaton

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every match, overlapping ones included: (start, end, word)."""
        if self.automaton is None:
            return []
        found = []
        for end_index, length in self.automaton.iter(text):
            start = end_index - length + 1
            found.append((start, end_index + 1, text[start : end_index + 1]))
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
        for word, *row in aliases:
            places = found.setdefault(word, [])
            if all(p.id != row[0] for p in places):
                places.append(Place(*row))
        return found


def is_full_village_name(word: str) -> bool:
    return word.endswith(VILLAGE_NAME_ENDINGS)


class Gazetteer:
    villages: VillageIndex = VillageIndex(None)

    def __init__(self, places: list[Place], aliases: list[tuple[int, str]]):
        self.by_id = {place.id: place for place in places}
        self.by_code = {place.code: place for place in places}
        entries: dict[str, list[Entry]] = {}
        for place in places:
            if place.name in PLACEHOLDER_NAMES or len(place.name) < 2:
                continue
            entries.setdefault(place.name, []).append(Entry(place, is_short=False))
        for locality_id, name in aliases:
            place = self.by_id.get(locality_id)
            if place is None or len(name) < 2 or name in PLACEHOLDER_NAMES:
                continue
            if any(e.place.id == place.id for e in entries.get(name, [])):
                continue
            entries.setdefault(name, []).append(Entry(place, is_short=not name.endswith(ADMIN_SUFFIXES)))
        self.entries = entries
        self.automaton = ahocorasick.Automaton()
        for name, found in entries.items():
            self.automaton.add_word(name, (name, tuple(found)))
        if entries:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str, tuple[Entry, ...]]]:
        """Longest non-overlapping matches, left to right: (start, end, name, entries)."""
        if not self.entries:
            return []
        found = []
        for end_index, (name, entries) in self.automaton.iter_long(text):
            start = end_index - len(name) + 1
            found.append((start, end_index + 1, name, entries))
        return found

    def parent(self, place: Place) -> Place | None:
        return self.by_id.get(place.parent_id) if place.parent_id else None


_lock = threading.Lock()
_cache: dict[str, object] = {}


def _fingerprint() -> tuple:
    localities = Locality.objects.filter(code__isnull=False, level__in=GAZETTEER_LEVELS)
    everything = Locality.objects.aggregate(n=Count("id"), m=Max("id"))
    aliases = LocalityAlias.objects.aggregate(n=Count("id"), m=Max("id"))
    return (localities.count(), everything["n"], everything["m"], aliases["n"], aliases["m"])


def _village_words() -> set[str]:
    villages = {"level": Level.COMMUNITY, "code__isnull": False}
    words = set(Locality.objects.filter(**villages).values_list("name", flat=True).iterator(chunk_size=20000))
    committee = Q()
    for ending in COMMITTEE_ENDINGS:
        committee |= Q(name__endswith=ending)
    village_ids = Locality.objects.filter(**villages).values("pk")
    aliases = LocalityAlias.objects.filter(locality__in=village_ids).exclude(committee)
    words.update(aliases.values_list("name", flat=True).iterator(chunk_size=20000))
    return {word for word in words if len(word) >= 2}


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def _cache_path(fingerprint: tuple) -> Path:
    """One file per database, named by the version of its data (row counts and highest ids)."""
    database = _digest((connection.vendor, str(connection.settings_dict.get("NAME"))))
    return Path(settings.GAZETTEER_CACHE_DIR) / f"villages-{database}-{_digest(fingerprint)}.automaton"


def village_index(fingerprint: tuple) -> VillageIndex:
    """The level-5 automaton for this version of the data: from the disk cache, else built and saved."""
    path = _cache_path(fingerprint)
    if path.exists():
        try:
            return VillageIndex(ahocorasick.load(str(path), pickle.loads))
        except (OSError, ValueError, pickle.UnpicklingError):
            pass  # a damaged or foreign file: rebuild it
    words = _village_words()
    if not words:
        return VillageIndex(None)
    automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for word in words:
        automaton.add_word(word)
    automaton.make_automaton()
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.automaton"):
        stale.unlink(missing_ok=True)
    # Write beside and rename: a concurrent reader never sees half a file.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    automaton.save(str(tmp))  # lengths only: no serializer
    tmp.replace(path)
    return VillageIndex(automaton)


def get_gazetteer() -> Gazetteer:
    """The process-wide automaton, rebuilt when the gazetteer tables change (four cheap queries)."""
    fingerprint = _fingerprint()
    with _lock:
        if _cache.get("fingerprint") != fingerprint:
            rows = Locality.objects.filter(code__isnull=False, level__in=GAZETTEER_LEVELS).values_list(
                "id", "code", "name", "level", "parent_id"
            )
            places = [Place(*row) for row in rows.iterator(chunk_size=5000)]
            # A subquery on the (level, code) index, then the alias index: not a scan of 1.1M aliases.
            upper = Locality.objects.filter(code__isnull=False, level__in=GAZETTEER_LEVELS).values("pk")
            aliases = list(LocalityAlias.objects.filter(locality__in=upper).values_list("locality_id", "name"))
            gazetteer = Gazetteer(places, aliases)
            gazetteer.villages = village_index(fingerprint)
            _cache["gazetteer"] = gazetteer
            _cache["fingerprint"] = fingerprint
        return _cache["gazetteer"]  # type: ignore[return-value]
