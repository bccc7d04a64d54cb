"""Places on the public site: their URL key, their region parameter and their child places with counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from cases.models import Case, Level, Locality


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


def child_counts(place: Locality) -> tuple[list[ChildCount], int]:
    """The public child places of ``place`` holding published cases, each with how many, and the total.

    A case counts under a place when its primary place or one of its further places lies at or
    beneath it (the API's ``region`` filter): the list of a child's cases has exactly its count.
    Three queries whatever the data size; the rows read are the (case, place) pairs beneath ``place``.
    """
    within = Locality.objects.within(place).values("pk")
    published = Case.objects.published()
    pairs = list(published.filter(primary_locality__in=within).values_list("pk", "primary_locality__path"))
    pairs += list(
        Case.localities.through.objects.filter(case__in=published, locality__in=within).values_list(
            "case_id", "locality__path"
        )
    )
    by_child: dict[str, set[int]] = {}
    everything: set[int] = set()
    for case_id, path in pairs:
        everything.add(case_id)
        rest = path[len(place.path) :]
        if rest:
            child_path = place.path + rest.split("/", 1)[0] + "/"
            by_child.setdefault(child_path, set()).add(case_id)
    children = Locality.objects.public().filter(path__in=list(by_child)).order_by("path") if by_child else []
    return [ChildCount(child, len(by_child[child.path])) for child in children], len(everything)
