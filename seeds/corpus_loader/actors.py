"""Actors: organisations (and their predecessors), people and their posts."""

from __future__ import annotations

from cases.models import (
    NameBasis,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)
from seeds.parsing import Record


class ActorsMixin:
    """The ``organisations``, ``people`` and ``positions`` sections."""

    def _organisation(self, record: Record) -> None:
        record.check_keys(
            [
                "key", "name", "name_basis", "name_en", "kind", "locality", "parent", "predecessor", "aliases",
                "founded", "description", "evidence",
            ],
            required=["key", "name", "kind"],
        )  # fmt: skip
        founded = record.fuzzy_date("founded")
        fields = {
            "name": record.str("name"),
            "name_basis": record.choice("name_basis", NameBasis, default=NameBasis.PRINTED),
            "name_en": record.str("name_en"),
            "kind": record.choice("kind", OrganisationKind),
            "locality": self._locality_ref(record, "locality", record.data.get("locality")),
            "parent": self._ref(record, "parent", self.organisations, "organisation"),
            "aliases": [str(a) for a in record.list("aliases")],
            "founded_date": founded.date,
            "founded_precision": founded.precision,
            "founded_text": founded.text,
            "description": record.str("description"),
        }
        key = record.str("key")
        self.organisations[key] = self._upsert(record, Organisation, key, fields)
        self._evidence(record, organisation=self.organisations[key])

    def _predecessor(self, record: Record) -> None:
        organisation = self.organisations[record.str("key")]
        predecessor = self._ref(record, "predecessor", self.organisations, "organisation")
        if predecessor is not None and predecessor.pk == organisation.pk:
            raise record.error("an organisation cannot be its own predecessor", "predecessor")
        if organisation.predecessor_id != (predecessor.pk if predecessor else None):
            organisation.predecessor = predecessor
            organisation.save(update_fields=["predecessor", "updated_at"])
            self.counts["organisation predecessors updated"] += 1

    def _person(self, record: Record) -> None:
        record.check_keys(["key", "name", "name_en", "note", "evidence"], required=["key", "name"])
        fields = {"name": record.str("name"), "name_en": record.str("name_en"), "note": record.str("note")}
        key = record.str("key")
        self.people[key] = self._upsert(record, Person, key, fields)
        self._evidence(record, person=self.people[key])

    def _position(self, record: Record) -> None:
        record.check_keys(["person", "organisation", "title", "title_en", "as_of", "evidence"],
                          required=["person", "title", "evidence"])  # fmt: skip
        as_of = record.fuzzy_date("as_of")
        person = self._ref(record, "person", self.people, "person")
        organisation = self._ref(record, "organisation", self.organisations, "organisation")
        fields = {
            "person": person,
            "organisation": organisation,
            "title": record.str("title"),
            "title_en": record.str("title_en"),
            "as_of_date": as_of.date,
            "as_of_precision": as_of.precision,
            "as_of_text": as_of.text,
        }
        key = f"{person.pk}|{getattr(organisation, 'pk', '')}|{fields['title']}"
        position = self._upsert(record, Position, key, fields)
        self._evidence(record, position=position)
