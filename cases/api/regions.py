"""Turning a researcher's ``region`` value into one locality.

Three unambiguous forms:

* digits: an NBS statistical code of 2, 4, 6, 9 or 12 digits (``51``, ``5101``, ``510105005``,
  ``510105005007``), also padded with zeros as researchers' data carries them: the 6-digit
  administrative form (``510000`` = 四川省, ``510100`` = 成都市) and the 12-digit form
  (``510100000000`` = 成都市, ``510105005000`` = 少城街道);
* ``id:123``: a locality's id, for places without a code (communities, compounds);
* anything else: a name or alias (``四川省``, ``成都``, ``少城街道``), which must match exactly one place.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS

from cases.api.errors import AmbiguousRegion
from cases.models import Locality
from cases.models.places import CODE_LENGTHS
from cases.statements import Statement

CODE_LENGTH_SET = frozenset(CODE_LENGTHS.values())
MAX_CANDIDATES = 20


class RegionNotFound(ValueError):
    """The value names no public locality; the message says why."""


COLUMNS = [field.attname for field in Locality._meta.concrete_fields]
# Every coded place is public (LocalityVisibility.public): a code needs no visibility condition,
# whose two EXISTS cost a fifth of a small region filter's time to build; the lookup itself is
# compiled once (cases.statements), building it was another tenth.
BY_CODE = Statement(lambda code: Locality.objects.filter(code=code).values(*COLUMNS), placeholder="0code0")


def _coded(code: str) -> Locality | None:
    rows = BY_CODE.rows(code)  # codes are unique: one row or none
    return Locality.from_db(DEFAULT_DB_ALIAS, COLUMNS, [rows[0][name] for name in COLUMNS]) if rows else None


def _padded(value: str) -> Locality | None:
    """The place a zero-padded code stands for: the longest shorter code the zeros complete."""
    for length in sorted(CODE_LENGTH_SET, reverse=True):
        if length < len(value) and value[length:].strip("0") == "" and value[:length].strip("0"):
            found = _coded(value[:length])
            if found is not None:
                return found
    return None


def resolve_region(value: str, *, field: str = "region", include_hidden: bool = False) -> Locality:
    """The one public locality ``value`` names, or RegionNotFound / AmbiguousRegion.

    ``include_hidden`` also finds places only a draft uses, for staff writes.
    """
    value = value.strip()
    if not value:
        raise RegionNotFound("region is empty")
    if value.isdigit() and value.isascii():
        if len(value) not in CODE_LENGTH_SET:
            raise RegionNotFound(
                f"{value!r} is not a statistical code (codes have 2, 4, 6, 9 or 12 digits; use id:{value} for an id)"
            )
        found = _coded(value) or _padded(value)
        if found is None:
            raise RegionNotFound(f"no locality has the statistical code {value}")
        return found
    public = Locality.objects.all() if include_hidden else Locality.objects.public()
    if value.startswith("id:"):
        raw = value[3:]
        if not (raw.isdigit() and raw.isascii()) or len(raw) > 18:
            raise RegionNotFound(f"{value!r}: after id: give a locality id (digits)")
        found = public.filter(pk=int(raw)).first()
        if found is None:
            raise RegionNotFound(f"no locality has the id {raw}")
        return found
    matches = list(public.named(value).order_by("path")[: MAX_CANDIDATES + 1])
    if not matches:
        raise RegionNotFound(f"no locality is named {value!r}")
    if len(matches) > 1:
        candidates = [
            {"id": m.pk, "code": m.code, "name": m.name, "full_name": m.full_name, "level": m.level}
            for m in matches[:MAX_CANDIDATES]
        ]
        listed = "; ".join(f"{c['code'] or 'id:' + str(c['id'])} {c['full_name']}" for c in candidates)
        more = " (and more)" if len(matches) > MAX_CANDIDATES else ""
        raise AmbiguousRegion(
            field,
            f"{value!r} is ambiguous: it names {listed}{more}. Give the code (or id:N) instead.",
            candidates,
        )
    return matches[0]
