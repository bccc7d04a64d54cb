"""Keep the index in step with writes that go through ``save()``, ``delete()`` and m2m changes.

Every handler asks the registry (``cases.search.registry``) which searchable records the write
touches and hands them to ``index.mark``. A case's status decides whether its sources,
organisations and initiatives are public, so a case write also refreshes those (metadata only
unless their texts changed).

Writes that bypass signals — ``QuerySet.update()``, ``bulk_create`` (import-export's bulk mode,
simple-history's ``bulk_create_with_history``), raw SQL — must call ``index.mark`` or
``registry.refresh_objects`` themselves; ``python manage.py reindex`` repairs anything missed.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from cases.search import pragmas  # noqa: F401  (SQLite connection settings, connected on import)
from cases.search.dependents import LINKED, Keys, case_dependents, visibility_dependents
from cases.search.index import mark
from cases.search.registry import BY_MODEL, affected, refresh_objects, watched_models

# The names callers used before the registry (cases.admin.search, tests).
refresh_for = refresh_objects
__all__ = ["affected", "case_dependents", "refresh_for", "visibility_dependents"]


def _mark_all(keys: Keys) -> None:
    for object_type, ids in keys.items():
        mark(object_type, ids)


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata: the fixture's own documents or a later reindex cover it
        return
    _mark_all(affected(instance))


def _before_delete(sender, instance, **kwargs) -> None:
    # Relations are gone after the delete; remember who depended on the record while we can.
    instance._search_affected = affected(instance)


def _after_delete(sender, instance, **kwargs) -> None:
    _mark_all(getattr(instance, "_search_affected", {}))


for _model in watched_models():
    post_save.connect(_on_save, sender=_model, dispatch_uid=f"search-save-{_model.__name__}")
    pre_delete.connect(_before_delete, sender=_model, dispatch_uid=f"search-pre-delete-{_model.__name__}")
    post_delete.connect(_after_delete, sender=_model, dispatch_uid=f"search-delete-{_model.__name__}")


def _keys_for(model: type, ids: set[int]) -> Keys:
    # A link between a case and one of these changed: both sides' dependents may change.
    linked = LINKED.get(model)
    return linked(ids) if linked is not None else {}


def _linked_ids(sender, instance, model) -> set[int]:
    """Ids of ``model`` rows linked to ``instance`` through the m2m table ``sender``."""
    relations = [f for f in sender._meta.fields if f.is_relation]
    own = next(f for f in relations if f.related_model is type(instance))
    other = next(f for f in relations if f.related_model is model and f is not own)
    return set(sender.objects.filter(**{own.attname: instance.pk}).values_list(other.attname, flat=True))


def _on_m2m(sender, instance, action, model, pk_set, **kwargs) -> None:
    if action == "pre_clear":
        # After a clear pk_set is empty: note the records losing their link while they are known.
        instance._search_cleared = _linked_ids(sender, instance, model)
        return
    if action in {"post_add", "post_remove"}:
        others = set(pk_set or ())
    elif action == "post_clear":
        others = instance.__dict__.pop("_search_cleared", set())
    else:
        return
    for keys in (_keys_for(type(instance), {instance.pk}), _keys_for(model, others)):
        _mark_all(keys)


def link_tables() -> list[models.Model]:
    """The plain many-to-many tables of the indexed models (their explicit link models are
    watched as models: ``registry.FEEDS``)."""
    return [
        field.remote_field.through
        for model in BY_MODEL
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    ]


for _through in link_tables():
    m2m_changed.connect(_on_m2m, sender=_through, dispatch_uid=f"search-m2m-{_through._meta.label_lower}")
