"""Writing curated records: match each to its row, update only what changed, count it.

``RecordWriter`` is the generic half of the corpus loader: it knows nothing about the
corpus format, only about keys, rows and the SeedRecord bookkeeping that makes a
second load of an unchanged file a no-op.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from cases.search.registry import refresh_objects
from seeds.models import SeedRecord
from seeds.parsing import Record


class RecordWriter:
    def __init__(self, corpus: str) -> None:
        self.corpus = corpus
        self.counts: Counter[str] = Counter()

    def _ref(self, record: Record, field: str, table: dict[str, Any], what: str) -> Any:
        key = record.data.get(field)
        if key in (None, ""):
            return None
        return self._key(record, field, key, table, what)

    def _key(self, record: Record, field: str, key: Any, table: dict[str, Any], what: str) -> Any:
        if str(key) not in table:
            raise record.error(f"unknown {what} key {key!r}", field)
        return table[str(key)]

    def _parents_first(self, items: list[Record], parent_field: str) -> list[Record]:
        """Order records so each comes after the record its ``parent_field`` names (within the file)."""
        by_key = {r.data.get("key"): r for r in items}
        ordered: list[Record] = []
        state: dict[str, str] = {}

        def visit(record: Record) -> None:
            key = record.data.get("key")
            if state.get(key) == "done":
                return
            if state.get(key) == "visiting":
                raise record.error("parent chain loops back to this record", parent_field)
            state[key] = "visiting"
            parent = record.data.get(parent_field)
            if isinstance(parent, str) and parent in by_key:
                visit(by_key[parent])
            state[key] = "done"
            ordered.append(record)

        for record in items:
            visit(record)
        return ordered

    def _upsert(self, record: Record, model: type[models.Model], key: str, fields: dict[str, Any],
                natural: dict[str, Any] | None = None) -> Any:  # fmt: skip
        """Create the row for ``key`` or bring it up to date; count what happened."""
        label = model._meta.label_lower
        obj = None
        seed = SeedRecord.objects.filter(corpus=self.corpus, kind=label, key=key).first()
        if seed is not None:
            obj = model.objects.filter(pk=seed.object_id).first()
        if obj is None and natural:
            obj = model.objects.filter(**natural).first()
        verb = model._meta.verbose_name_plural.split(" ", 1)[-1]
        if obj is None:
            obj = model(**fields)
            status = "created"
        elif all(_same(obj, name, value) for name, value in fields.items()):
            status = "unchanged"
        else:
            for name, value in fields.items():
                setattr(obj, name, value)
            status = "updated"
        if status != "unchanged":
            try:
                obj.full_clean(exclude=[f.name for f in model._meta.fields if not f.editable])
            except ValidationError as error:
                field, messages = next(iter(error.message_dict.items()))
                raise record.error("; ".join(messages), "" if field == "__all__" else field) from None
            obj.save()
        self.counts[f"{verb} {status}"] += 1
        SeedRecord.objects.update_or_create(corpus=self.corpus, kind=label, key=key, defaults={"object_id": obj.pk})
        return obj

    def _replace_links(self, owner: models.Model, name: str, links: list[models.Model], counted: str) -> None:
        """Replace ``owner``'s ``name`` rows (a reverse foreign key) with ``links`` in one insert.

        ``bulk_create`` sends no signals, so the documents that depend on ``owner`` are refreshed
        through the search registry (inside the loader's ``deferred()`` block: once, at its end).
        """
        manager = getattr(owner, name)
        manager.all().delete()
        manager.model.objects.bulk_create(links)
        refresh_objects(type(owner), [owner.pk])
        self.counts[counted] += 1

    def _set_m2m(self, obj: models.Model, name: str, targets: list[models.Model]) -> None:
        manager = getattr(obj, name)
        wanted = {t.pk for t in targets}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(targets)
            self.counts[f"{name} links updated"] += 1


def _same(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value
