"""Which documents follow from a record: the dependency rules the signals and bulk refreshes share.

Each function answers "a write touched this record: whose documents may now differ?" and
returns ``Keys`` (document type → record ids). ``cases.search.registry`` names, per model, the
function that answers for it; nothing here refreshes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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

Keys = dict[str, set[int]]


def add(keys: Keys, object_type: str, ids: Iterable[int | None]) -> None:
    keys.setdefault(object_type, set()).update(pk for pk in ids if pk is not None)


def merged(*parts: Keys) -> Keys:
    keys: Keys = {}
    for part in parts:
        for object_type, ids in part.items():
            add(keys, object_type, ids)
    return keys


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
        add(
            keys,
            DocumentType.CASE,
            Evidence.objects.filter(source__in=sources, case__isnull=False).values_list("case_id", flat=True),
        )
    people.discard(None)
    if people:
        organisations |= set(Position.objects.filter(person__in=people).values_list("organisation_id", flat=True))
    organisations.discard(None)
    if organisations:
        add(
            keys,
            DocumentType.CASE,
            Case.people.through.objects.filter(person__positions__organisation__in=organisations).values_list(
                "case_id", flat=True
            ),
        )
    add(keys, DocumentType.CASE, cases)
    add(keys, DocumentType.INITIATIVE, initiatives)
    add(keys, DocumentType.SOURCE, sources)
    add(keys, DocumentType.ORGANISATION, organisations)
    return keys


def case_dependents(case_ids: set[int]) -> Keys:
    """The cases plus every record whose visibility, texts or themes follow from them."""
    return visibility_dependents(cases=set(case_ids))


def _keys(**found: Iterable[int | None]) -> Keys:
    keys: Keys = {}
    for object_type, ids in found.items():
        add(keys, object_type, ids)
    return keys


# Per model: the documents that depend on one of its rows (cases.search.registry names them).


def of_case(case: Case) -> Keys:
    return case_dependents({case.pk})


def of_organisation(organisation: Organisation) -> Keys:
    return _keys(organisation=[organisation.pk], case=organisation.case_roles.values_list("case_id", flat=True))


def of_initiative(initiative: Initiative) -> Keys:
    return _keys(
        initiative=[initiative.pk],
        case=initiative.cases.values_list("pk", flat=True),
        organisation=initiative.participants.values_list("organisation_id", flat=True),
    )


def of_source(source: Source) -> Keys:
    return _keys(source=[source.pk], organisation=source.credits.values_list("organisation_id", flat=True))


def of_person(person: Person) -> Keys:
    return _keys(
        case=person.cases.values_list("pk", flat=True),
        organisation=person.positions.values_list("organisation_id", flat=True),
    )


def of_position(position: Position) -> Keys:
    return _keys(
        organisation=[position.organisation_id],
        case=Case.people.through.objects.filter(person=position.person_id).values_list("case_id", flat=True),
    )


def of_evidence(evidence: Evidence) -> Keys:
    return _keys(case=[evidence.case_id])


def of_case_organisation(link: CaseOrganisation) -> Keys:
    return merged(_keys(case=[link.case_id]), visibility_dependents(organisations={link.organisation_id}))


def of_participant(link: InitiativeParticipant) -> Keys:
    return visibility_dependents(organisations={link.organisation_id})


def of_credit(credit: SourceCredit) -> Keys:
    return merged(
        _keys(source=[credit.source_id]),
        visibility_dependents(organisations={credit.organisation_id} - {None}, people={credit.person_id} - {None}),
    )


# A link between a case (or an initiative) and one of these changed: both sides' dependents may change.
LINKED: dict[type, Callable[[set[int]], Keys]] = {
    Case: case_dependents,
    Initiative: lambda ids: visibility_dependents(initiatives=ids),
    Source: lambda ids: visibility_dependents(sources=ids),
    Person: lambda ids: visibility_dependents(people=ids),
}
