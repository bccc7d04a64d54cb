"""Finding gazetteer places in text: an Aho-Corasick automaton over names and aliases.

Only coded places from the province to the township level are matched: they are the national
gazetteer. Communities, villages and compounds are found by pattern in ``extraction`` and
proposed as new children, so curated records never leak into what the extractor "finds".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import ahocorasick
from django.db.models import Max

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


class Gazetteer:
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
    return (
        localities.count(),
        localities.aggregate(m=Max("id"))["m"],
        LocalityAlias.objects.count(),
        LocalityAlias.objects.aggregate(m=Max("id"))["m"],
    )


def get_gazetteer() -> Gazetteer:
    """The process-wide automaton, rebuilt when the gazetteer tables change (four cheap queries)."""
    fingerprint = _fingerprint()
    with _lock:
        if _cache.get("fingerprint") != fingerprint:
            rows = Locality.objects.filter(code__isnull=False, level__in=GAZETTEER_LEVELS).values_list(
                "id", "code", "name", "level", "parent_id"
            )
            places = [Place(*row) for row in rows.iterator(chunk_size=5000)]
            aliases = list(
                LocalityAlias.objects.filter(
                    locality__code__isnull=False, locality__level__in=GAZETTEER_LEVELS
                ).values_list("locality_id", "name")
            )
            _cache["gazetteer"] = Gazetteer(places, aliases)
            _cache["fingerprint"] = fingerprint
        return _cache["gazetteer"]  # type: ignore[return-value]
