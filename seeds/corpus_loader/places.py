"""Places: curated localities, checked against the gazetteer, and references to them."""

from __future__ import annotations

from typing import Any

from cases.models import (
    Level,
    Locality,
    LocalityAlias,
)
from seeds.gazetteer_loader import country
from seeds.parsing import Record

COUNTRY_REF = "CN"


class PlacesMixin:
    """The ``localities`` section and every reference to a place (a key, a statistical code or CN)."""

    def _locality(self, record: Record) -> None:
        record.check_keys(["key", "name", "name_en", "level", "parent", "code", "aliases", "note", "evidence"],
                          required=["key", "name", "level", "parent"])  # fmt: skip
        code = record.str("code") or None
        parent = self._locality_ref(record, "parent", record.data["parent"])
        fields = {
            "name": record.str("name"),
            "name_en": record.str("name_en"),
            "level": record.choice("level", Level),
            "parent": parent,
            "code": code,
            "note": record.str("note"),
        }
        natural = {"code": code} if code else {"parent": parent, "name": fields["name"], "code__isnull": True}
        if code:
            self._check_against_gazetteer(record, code, fields)
        key = record.str("key")
        locality = self._upsert(record, Locality, key, fields, natural)
        self.localities[key] = locality
        for alias in record.list("aliases"):
            _, created = LocalityAlias.objects.get_or_create(locality=locality, name=str(alias))
            self.counts["locality aliases created"] += created
        self._evidence(record, locality=locality)

    def _check_against_gazetteer(self, record: Record, code: str, fields: dict) -> None:
        """A curated place with a code is the gazetteer's row: its name, level and parent must agree."""
        row = Locality.objects.filter(code=code).select_related("parent").first()
        if row is None:
            return
        parent = fields["parent"]
        if (row.name, row.level, row.parent_id) != (fields["name"], fields["level"], parent.pk if parent else None):
            said = f"{fields['name']} ({fields['level']}, under {parent.code or parent.name if parent else '-'})"
            found = f"{row.name} ({row.level}, under {row.parent.code or row.parent.name if row.parent else '-'})"
            raise record.error(f"disagrees with the gazetteer: code {code} is {found}, the record says {said}", "code")

    def _locality_ref(self, record: Record, field: str, ref: Any) -> Locality | None:
        if ref is None or ref == "":
            return None
        ref = str(ref)
        if ref == COUNTRY_REF:
            return country()
        if ref.isdigit():
            locality = Locality.objects.filter(code=ref).first()
            if locality is None:
                raise record.error(f"unknown locality code {ref} (not in the gazetteer or this file)", field)
            return locality
        if ref not in self.localities:
            raise record.error(f"unknown locality key {ref!r} (define it under localities first)", field)
        return self.localities[ref]
