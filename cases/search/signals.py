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


def visibility_dependents(
    *,
    cases: set[int] = frozenset(),
    initiatives: set[int] = frozenset(),
    sources: set[int] = frozenset(),
    organisations: set[int] = frozenset(),
    people: set[int] = frozenset(),
) -> Keys:
    """Every document that may change when these records change status or lose or gain a link.

    Follows the rules of cases.models.visibility down the chain: a case decides its initiatives,
    sources, organisations and people; an initiative its participants; a source its credited
    organisations and people; a person the organisations whose documents list their posts; an
    organisation or a source the case documents that show their posts or quotes only while public.
    """
    cases, initiatives, sources = set(cases), set(initiatives), set(sources)
    organisations, people = set(organisations), set(people)
    keys: Keys = {}
    if cases:
        initiatives |= set(
            Case.initiatives.through.objects.filter(case__in=cases).values_list("initiative_id", flat=True)
        )
        sources |= set(Case.sources.through.objects.filter(case__in=cases).values_list("source_id", flat=True))
        organisations |= set(CaseOrganisation.objects.filter(case__in=cases).values_list("organisation_id", flat=True))
        people |= set(Case.people.through.objects.filter(case__in=cases).values_list("person_id", flat=True))
    if initiatives:
        organisations |= set(
            InitiativeParticipant.objects.filter(initiative__in=initiatives).values_list("organisation_id", flat=True)
        )
    if sources:
        for organisation, person in SourceCredit.objects.filter(source__in=sources).values_list(
            "organisation_id", "person_id"
        ):
            organisations.add(organisation)
            people.add(person)
        _add(
            keys,
            DocumentType.CASE,
            Evidence.objects.filter(source__in=sources, case__isnull=False).values_list("case_id", flat=True),
        )
    people.discard(None)
    if people:
        organisations |= set(Position.objects.filter(person__in=people).values_list("organisation_id", flat=True))
    organisations.discard(None)
    if organisations:
        _add(
            keys,
            DocumentType.CASE,
            Case.people.through.objects.filter(person__positions__organisation__in=organisations).values_list(
                "case_id", flat=True
            ),
        )
    _add(keys, DocumentType.CASE, cases)
    _add(keys, DocumentType.INITIATIVE, initiatives)
    _add(keys, DocumentType.SOURCE, sources)
    _add(keys, DocumentType.ORGANISATION, organisations)
    return keys


def case_dependents(case_ids: set[int]) -> Keys:
    """The cases plus every record whose visibility, texts or themes follow from them."""
    return visibility_dependents(cases=set(case_ids))


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
        keys = _merged(keys, visibility_dependents(organisations={instance.organisation_id}))
    elif isinstance(instance, InitiativeParticipant):
        keys = _merged(keys, visibility_dependents(organisations={instance.organisation_id}))
    elif isinstance(instance, SourceCredit):
        _add(keys, DocumentType.SOURCE, [instance.source_id])
        keys = _merged(
            keys,
            visibility_dependents(
                organisations={instance.organisation_id} - {None}, people={instance.person_id} - {None}
            ),
        )
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


def _merged(*parts: Keys) -> Keys:
    keys: Keys = {}
    for part in parts:
        for object_type, ids in part.items():
            _add(keys, object_type, ids)
    return keys


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
    # A link between a case and one of these changed: both sides' dependents may change.
    if model is Case:
        return case_dependents(ids)
    if model is Initiative:
        return visibility_dependents(initiatives=ids)
    if model is Source:
        return visibility_dependents(sources=ids)
    if model is Person:
        return visibility_dependents(people=ids)
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
