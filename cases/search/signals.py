"""Keep the index in step with writes that go through ``save()``, ``delete()`` and m2m changes.

Every handler works out which searchable records the write touches and hands them to
``index.mark``. A case's status decides whether its sources, organisations and initiatives are
public, so a case write also refreshes those (metadata only unless their texts changed).

Writes that bypass signals — ``QuerySet.update()``, ``bulk_create`` (import-export's bulk mode,
simple-history's ``bulk_create_with_history``), raw SQL — must call ``index.mark`` or
``refresh_for`` themselves; ``python manage.py reindex`` repairs anything missed.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from cases.models import (
    Case,
    CaseOrganisation,
    DocumentType,
    Evidence,
    Initiative,
    InitiativeParticipant,
    Organisation,
    Person,
    Position,
    Source,
    SourceCredit,
)
from cases.search import pragmas  # noqa: F401  (SQLite connection settings, connected on import)
from cases.search.index import mark

Keys = dict[str, set[int]]


def _add(keys: Keys, object_type: str, ids) -> None:
    keys.setdefault(object_type, set()).update(pk for pk in ids if pk is not None)


def case_dependents(case_ids: set[int]) -> Keys:
    """The cases plus every record whose visibility or themes follow from them."""
    keys: Keys = {DocumentType.CASE: set(case_ids)}
    if not case_ids:
        return keys
    initiative_ids = set(
        Case.initiatives.through.objects.filter(case__in=case_ids).values_list("initiative_id", flat=True)
    )
    source_ids = set(Case.sources.through.objects.filter(case__in=case_ids).values_list("source_id", flat=True))
    _add(keys, DocumentType.INITIATIVE, initiative_ids)
    _add(keys, DocumentType.SOURCE, source_ids)
    _add(
        keys,
        DocumentType.ORGANISATION,
        CaseOrganisation.objects.filter(case__in=case_ids).values_list("organisation_id", flat=True),
    )
    _add(
        keys,
        DocumentType.ORGANISATION,
        InitiativeParticipant.objects.filter(initiative__in=initiative_ids).values_list("organisation_id", flat=True),
    )
    _add(
        keys,
        DocumentType.ORGANISATION,
        SourceCredit.objects.filter(source__in=source_ids).values_list("organisation_id", flat=True),
    )
    return keys


def refresh_for(model: type, ids) -> None:
    """Refresh the index after a bulk write to ``model`` rows that bypassed signals."""
    ids = set(ids)
    if model is Case:
        keys = case_dependents(ids)
    else:
        keys = {}
        for instance in model._default_manager.filter(pk__in=ids):
            for object_type, found in affected(instance).items():
                _add(keys, object_type, found)
    for object_type, found in keys.items():
        mark(object_type, found)


def affected(instance) -> Keys:
    """Searchable records whose document depends on ``instance``."""
    keys: Keys = {}
    if isinstance(instance, Case):
        return case_dependents({instance.pk})
    if isinstance(instance, Organisation):
        _add(keys, DocumentType.ORGANISATION, [instance.pk])
        _add(keys, DocumentType.CASE, instance.case_roles.values_list("case_id", flat=True))
    elif isinstance(instance, Initiative):
        _add(keys, DocumentType.INITIATIVE, [instance.pk])
        _add(keys, DocumentType.CASE, instance.cases.values_list("pk", flat=True))
        _add(keys, DocumentType.ORGANISATION, instance.participants.values_list("organisation_id", flat=True))
    elif isinstance(instance, Source):
        _add(keys, DocumentType.SOURCE, [instance.pk])
        _add(keys, DocumentType.ORGANISATION, instance.credits.values_list("organisation_id", flat=True))
    elif isinstance(instance, Person):
        _add(keys, DocumentType.CASE, instance.cases.values_list("pk", flat=True))
        _add(keys, DocumentType.ORGANISATION, instance.positions.values_list("organisation_id", flat=True))
    elif isinstance(instance, Position):
        _add(keys, DocumentType.ORGANISATION, [instance.organisation_id])
        _add(
            keys,
            DocumentType.CASE,
            Case.people.through.objects.filter(person=instance.person_id).values_list("case_id", flat=True),
        )
    elif isinstance(instance, Evidence):
        _add(keys, DocumentType.CASE, [instance.case_id])
    elif isinstance(instance, CaseOrganisation):
        _add(keys, DocumentType.CASE, [instance.case_id])
        _add(keys, DocumentType.ORGANISATION, [instance.organisation_id])
    elif isinstance(instance, InitiativeParticipant):
        _add(keys, DocumentType.ORGANISATION, [instance.organisation_id])
    elif isinstance(instance, SourceCredit):
        _add(keys, DocumentType.SOURCE, [instance.source_id])
        _add(keys, DocumentType.ORGANISATION, [instance.organisation_id])
    return keys


WATCHED = (
    Case,
    Organisation,
    Initiative,
    Source,
    Person,
    Position,
    Evidence,
    CaseOrganisation,
    InitiativeParticipant,
    SourceCredit,
)


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


for _model in WATCHED:
    post_save.connect(_on_save, sender=_model, dispatch_uid=f"search-save-{_model.__name__}")
    pre_delete.connect(_before_delete, sender=_model, dispatch_uid=f"search-pre-delete-{_model.__name__}")
    post_delete.connect(_after_delete, sender=_model, dispatch_uid=f"search-delete-{_model.__name__}")


def _keys_for(model: type, ids: set[int]) -> Keys:
    if model is Case:
        return case_dependents(ids)
    if model is Initiative:
        return {DocumentType.INITIATIVE: set(ids)}
    if model is Source:
        return {DocumentType.SOURCE: set(ids)}
    return {}


def _linked_ids(sender, instance, model) -> set[int]:
    """Ids of ``model`` rows linked to ``instance`` through the m2m table ``sender``."""
    relations = [f for f in sender._meta.fields if f.is_relation]
    own = next(f for f in relations if f.related_model is type(instance))
    other = next(f for f in relations if f.related_model is model and f is not own)
    return set(sender.objects.filter(**{own.attname: instance.pk}).values_list(other.attname, flat=True))


@receiver(m2m_changed, sender=Case.themes.through, dispatch_uid="search-case-themes")
@receiver(m2m_changed, sender=Case.localities.through, dispatch_uid="search-case-localities")
@receiver(m2m_changed, sender=Case.initiatives.through, dispatch_uid="search-case-initiatives")
@receiver(m2m_changed, sender=Case.people.through, dispatch_uid="search-case-people")
@receiver(m2m_changed, sender=Case.sources.through, dispatch_uid="search-case-sources")
@receiver(m2m_changed, sender=Initiative.localities.through, dispatch_uid="search-initiative-localities")
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
