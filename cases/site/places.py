"""Places on the public site: their URL key, their region parameter and their child places with counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.http import Http404

from cases.models import Case, Level, Locality
from cases.models.places import _PATH_END as PATH_END


def place_key(place: Locality) -> str:
    """The place's key in ``/places/<key>/``: its statistical code, else ``n<id>`` (its path segment)."""
    return place.code or f"n{place.pk}"


def region_param(place: Locality) -> str:
    """The API's ``region`` value naming exactly this place."""
    return place.code or f"id:{place.pk}"


def public_place(key: str) -> Locality:
    """The public place a URL key names, or 404 (a place only a draft uses does not exist here)."""
    places = Locality.objects.public()
    if key.isascii() and key.isdigit():
        found = places.filter(code=key).first()
    elif key.startswith("n") and key[1:].isascii() and key[1:].isdigit() and len(key) < 20:
        found = places.filter(pk=int(key[1:]), code__isnull=True).first()
    else:
        found = None
    if found is None:
        raise Http404("no such place")
    return found


def country() -> Locality | None:
    return Locality.objects.filter(level=Level.COUNTRY).order_by("path").first()


@dataclass
class ChildCount:
    place: Locality
    count: int

    @property
    def key(self) -> str:
        return place_key(self.place)


def _child_segment(path: str, prefix_length: int) -> Substr:
    """The path segment right after the first ``prefix_length`` characters (the child's code or n<id>)."""
    rest = Substr(path, prefix_length + 1)
    return Substr(path, prefix_length + 1, StrIndex(rest, Value("/")) - 1)


def child_counts(place: Locality, cases: QuerySet | None = None) -> list[ChildCount]:
    """The public child places of ``place`` holding published cases, each with how many.

    A case counts under a place when its primary place or one of its further places lies at or
    beneath it (the API's ``region`` filter), so a child's count is the length of its case list:
    the cases by primary place, plus those by further place, less those counted both ways. Each
    is grouped in the database by the child's path segment; four queries whatever the data size.
    ``cases`` (published cases, e.g. a filtered list) narrows what is counted.
    """
    length = len(place.path)

    def beneath(prefix: str) -> dict[str, str]:
        # A range on the joined path: an IN list of every place beneath the country is 44k ids.
        return {f"{prefix}path__gt": place.path, f"{prefix}path__lt": place.path + PATH_END}

    published = Case.objects.published() if cases is None else cases.order_by()
    by_primary = (
        published.filter(**beneath("primary_locality__"))
        .annotate(child=_child_segment(F("primary_locality__path"), length))
        .values("child")
        .annotate(n=Count("pk"))
        .order_by()
    )
    links = Case.localities.through.objects.filter(case__in=published.values("pk"), **beneath("locality__")).annotate(
        child=_child_segment(F("locality__path"), length)
    )
    by_further = links.values("child").annotate(n=Count("case_id", distinct=True)).order_by()
    both = (
        links.filter(**beneath("case__primary_locality__"))
        .annotate(primary_child=_child_segment(F("case__primary_locality__path"), length))
        .filter(child=F("primary_child"))
        .values("child")
        .annotate(n=Count("case_id", distinct=True))
        .order_by()
    )
    counts: dict[str, int] = {}
    for rows, sign in ((by_primary, 1), (by_further, 1), (both, -1)):
        for row in rows:
            counts[row["child"]] = counts.get(row["child"], 0) + sign * row["n"]
    paths = [place.path + segment + "/" for segment, n in counts.items() if n > 0]
    children = Locality.objects.public().filter(path__in=paths).order_by("path") if paths else []
    return [ChildCount(child, counts[child.path[length:-1]]) for child in children]
