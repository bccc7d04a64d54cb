"""Load one curated corpus file (seeds/corpus/*.yaml, see seeds/FORMAT.md).

Records are matched to the rows they were loaded into before (through SeedRecord, or
a natural key such as a statistical code or a case's public id), so a second load of
an unchanged file changes nothing. Everything a file says is checked on the way in:
references, choices, dates, and that every evidence quote occurs in its source.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from cases.models import (
    Case,
    CaseOrganisation,
    CreditRole,
    Document,
    Evidence,
    Indicator,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    Level,
    Locality,
    LocalityAlias,
    Metric,
    NameBasis,
    Organisation,
    OrganisationKind,
    ParticipantRole,
    PeriodKind,
    Person,
    Position,
    Qualifier,
    Source,
    SourceCredit,
    SourceKind,
    Status,
    Theme,
)
from cases.models.sources import content_hash
from cases.search import index as search_index
from seeds.errors import SeedError
from seeds.gazetteer_loader import country
from seeds.parsing import Record, records
from seeds.writer import RecordWriter

SECTIONS = [
    "document",
    "sources",
    "localities",
    "organisations",
    "people",
    "positions",
    "initiatives",
    "cases",
    "metrics",
]
COUNTRY_REF = "CN"


class CorpusLoader(RecordWriter):
    def __init__(self, path: Path) -> None:
        super().__init__(path.name)
        self.path = path
        self.file = str(path)
        self.sources: dict[str, Source] = {}
        self.localities: dict[str, Locality] = {}
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.initiatives: dict[str, Initiative] = {}
        self.cases: dict[str, Case] = {}

    # -- entry point -------------------------------------------------------------------

    def load(self) -> Counter[str]:
        # Saves mark search documents stale; refresh each one once, when the file is done.
        with search_index.deferred():
            return self._load()

    def _load(self) -> Counter[str]:
        data = self._read()
        document = self._document(data.get("document"))
        for record in records(self.file, "sources", data.get("sources")):
            self._source(record, document)
        for record in self._parents_first(records(self.file, "localities", data.get("localities")), "parent"):
            self._locality(record)
        organisations = self._parents_first(records(self.file, "organisations", data.get("organisations")), "parent")
        for record in organisations:
            self._organisation(record)
        for record in organisations:
            # Once every organisation exists: a predecessor may come later in the file.
            self._predecessor(record)
        for record in records(self.file, "people", data.get("people")):
            self._person(record)
        for record in records(self.file, "sources", data.get("sources")):
            self._credits(record)
        for record in records(self.file, "positions", data.get("positions")):
            self._position(record)
        for record in self._parents_first(records(self.file, "initiatives", data.get("initiatives")), "parent"):
            self._initiative(record)
        for record in records(self.file, "cases", data.get("cases"), key_field="public_id"):
            self._case(record)
        for record in records(self.file, "metrics", data.get("metrics")):
            self._metric(record)
        return self.counts

    def _read(self) -> dict[str, Any]:
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except OSError as error:
            raise SeedError(self.file, f"cannot read: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise SeedError(self.file, f"not UTF-8 ({error.reason} at byte {error.start})") from None
        except yaml.YAMLError as error:
            raise SeedError(self.file, f"invalid YAML: {error}") from None
        if not isinstance(data, dict):
            raise SeedError(self.file, "must be a YAML mapping with sections " + ", ".join(SECTIONS))
        unknown = sorted(set(data) - set(SECTIONS))
        if unknown:
            raise SeedError(self.file, f"unknown section(s) {', '.join(unknown)}; allowed: {', '.join(SECTIONS)}")
        return data

    # -- sections ----------------------------------------------------------------------

    def _document(self, raw: Any) -> Document:
        record = Record(self.file, "document", raw if isinstance(raw, dict) else {})
        record.check_keys(["file", "title"], required=["file"])
        text_path = (self.path.parent / record.str("file")).resolve()
        try:
            text = text_path.read_text(encoding="utf-8")
        except OSError as error:
            raise record.error(f"cannot read {text_path}: {error.strerror}", "file") from None
        except UnicodeDecodeError:
            raise record.error(f"{text_path} is not UTF-8", "file") from None
        document = Document.objects.filter(sha256=content_hash(text)).first()
        if document is None:
            document = Document.objects.create(text=text, title=record.str("title"), filename=text_path.name)
            self.counts["documents created"] += 1
        return document

    def _source(self, record: Record, document: Document) -> None:
        record.check_keys(
            [
                "key", "kind", "outlet", "column", "kicker", "headline", "subheadline", "publication", "page",
                "url", "excerpt", "is_truncated", "editorial_note", "intertitles", "credits",
            ],
            required=["key", "kind", "headline", "excerpt"],
        )  # fmt: skip
        excerpt = record.mapping("excerpt")
        start_marker, end_marker = str(excerpt.get("from") or ""), str(excerpt.get("to") or "")
        start = document.text.find(start_marker) if start_marker else -1
        if start < 0:
            raise record.error(f"excerpt start {start_marker!r} does not occur in the document", "excerpt")
        end = document.text.find(end_marker, start) if end_marker else -1
        if end < 0:
            raise record.error(f"excerpt end {end_marker!r} does not occur after its start", "excerpt")
        end += len(end_marker)
        published = record.fuzzy_date("publication")
        fields = {
            "document": document,
            "document_start": start,
            "document_end": end,
            "kind": record.choice("kind", SourceKind),
            "outlet": record.str("outlet"),
            "column": record.str("column"),
            "kicker": record.str("kicker"),
            "headline": record.str("headline"),
            "subheadline": record.str("subheadline"),
            "publication_date": published.date,
            "publication_precision": published.precision,
            "publication_text": published.text,
            "page": record.str("page"),
            "url": record.str("url"),
            "text": document.text[start:end],
            "is_truncated": record.bool("is_truncated"),
            "editorial_note": record.str("editorial_note"),
            "intertitles": [str(intertitle) for intertitle in record.list("intertitles")],
        }
        key = record.str("key")
        natural = {"content_hash": content_hash(fields["text"])}
        self.sources[key] = self._upsert(record, Source, key, fields, natural)

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

    def _credits(self, record: Record) -> None:
        source = self.sources[record.str("key")]
        wanted = []
        for index, raw in enumerate(record.list("credits")):
            credit = Record(self.file, f"{record.label}.credits[{index}]", raw if isinstance(raw, dict) else {})
            credit.check_keys(["role", "person", "organisation", "as_printed"], required=["role", "as_printed"])
            person = self._ref(credit, "person", self.people, "person")
            organisation = self._ref(credit, "organisation", self.organisations, "organisation")
            if person is None and organisation is None:
                raise credit.error("names neither a person nor an organisation")
            wanted.append((credit.choice("role", CreditRole), getattr(person, "pk", None),
                           getattr(organisation, "pk", None), credit.str("as_printed"), index))  # fmt: skip
        have = list(
            source.credits.order_by("order").values_list("role", "person", "organisation", "as_printed", "order")
        )
        if have != wanted:
            self._replace_links(
                source,
                "credits",
                [
                    SourceCredit(source=source, role=r, person_id=p, organisation_id=o, as_printed=a, order=i)
                    for r, p, o, a, i in wanted
                ],
                "credits updated",
            )

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

    def _initiative(self, record: Record) -> None:
        record.check_keys(
            ["key", "name", "name_en", "kind", "aliases", "description", "parent", "start", "localities",
             "participants", "evidence"],
            required=["key", "name", "kind", "evidence"],
        )  # fmt: skip
        start = record.fuzzy_date("start")
        fields = {
            "name": record.str("name"),
            "name_en": record.str("name_en"),
            "kind": record.choice("kind", InitiativeKind),
            "aliases": [str(a) for a in record.list("aliases")],
            "description": record.str("description"),
            "parent": self._ref(record, "parent", self.initiatives, "initiative"),
            "start_date": start.date,
            "start_precision": start.precision,
            "start_text": start.text,
        }
        key = record.str("key")
        initiative = self._upsert(record, Initiative, key, fields)
        self.initiatives[key] = initiative
        self._set_m2m(
            initiative,
            "localities",
            [self._locality_ref(record, "localities", ref) for ref in record.list("localities")],
        )
        wanted = set()
        for index, raw in enumerate(record.list("participants")):
            item = Record(self.file, f"{record.label}.participants[{index}]", raw if isinstance(raw, dict) else {})
            item.check_keys(["organisation", "role", "note"], required=["organisation", "role"])
            organisation = self._ref(item, "organisation", self.organisations, "organisation")
            wanted.add((organisation.pk, item.choice("role", ParticipantRole), item.str("note")))
        have = set(initiative.participants.values_list("organisation_id", "role", "note"))
        if have != wanted:
            self._replace_links(
                initiative,
                "participants",
                [InitiativeParticipant(initiative=initiative, organisation_id=o, role=r, note=n) for o, r, n in wanted],
                "initiative participants updated",
            )
        self._evidence(record, initiative=initiative)

    def _case(self, record: Record) -> None:
        record.check_keys(
            ["public_id", "status", "title_zh", "title_en", "summary_zh", "summary_en", "primary_locality",
             "localities", "period", "themes", "initiatives", "organisations", "people", "sources", "evidence"],
            required=["public_id", "title_zh", "primary_locality", "sources", "evidence"],
        )  # fmt: skip
        public_id = record.str("public_id")
        period = record.mapping("period")
        if set(period) - {"start", "end", "text"}:
            raise record.error("must have only start, end and text", "period")
        period_start = record.fuzzy_date("period", period.get("start") or {})
        period_end = record.fuzzy_date("period", period.get("end") or {})
        status = record.choice("status", Status, default=Status.DRAFT)
        existing = Case.objects.filter(public_id=public_id).first()
        published_at = None
        if status == Status.PUBLISHED:
            published_at = existing.published_at if existing and existing.published_at else timezone.now()
        fields = {
            "public_id": public_id,
            "status": status,
            "title_zh": record.str("title_zh"),
            "title_en": record.str("title_en"),
            "summary_zh": record.str("summary_zh"),
            "summary_en": record.str("summary_en"),
            "primary_locality": self._locality_ref(record, "primary_locality", record.data["primary_locality"]),
            "period_start_date": period_start.date,
            "period_start_precision": period_start.precision,
            "period_end_date": period_end.date,
            "period_end_precision": period_end.precision,
            "period_text": str(period.get("text") or ""),
            "published_at": published_at,
        }
        case = self._upsert(record, Case, public_id, fields, {"public_id": public_id})
        self.cases[public_id] = case
        themes = []
        for code in record.list("themes"):
            theme = Theme.objects.filter(code=str(code)).first()
            if theme is None:
                raise record.error(f"unknown theme {code!r}", "themes")
            themes.append(theme)
        self._set_m2m(case, "themes", themes)
        self._set_m2m(
            case, "localities", [self._locality_ref(record, "localities", ref) for ref in record.list("localities")]
        )
        self._set_m2m(
            case,
            "initiatives",
            [self._key(record, "initiatives", k, self.initiatives, "initiative") for k in record.list("initiatives")],
        )
        self._set_m2m(
            case, "people", [self._key(record, "people", k, self.people, "person") for k in record.list("people")]
        )
        self._set_m2m(
            case, "sources", [self._key(record, "sources", k, self.sources, "source") for k in record.list("sources")]
        )
        wanted = {}
        for index, raw in enumerate(record.list("organisations")):
            item = Record(self.file, f"{record.label}.organisations[{index}]", raw if isinstance(raw, dict) else {})
            item.check_keys(["organisation", "role"], required=["organisation"])
            wanted[self._ref(item, "organisation", self.organisations, "organisation").pk] = item.str("role")
        have = dict(case.case_organisations.values_list("organisation_id", "role"))
        if have != wanted:
            self._replace_links(
                case,
                "case_organisations",
                [CaseOrganisation(case=case, organisation_id=o, role=r) for o, r in wanted.items()],
                "case organisations updated",
            )
        self._evidence(record, case=case)

    def _metric(self, record: Record) -> None:
        record.check_keys(
            ["key", "indicator", "value", "value_upper", "unit", "counted", "qualifier", "period", "case",
             "locality", "organisation", "initiative", "note", "evidence"],
            required=["indicator", "value", "evidence"],
        )  # fmt: skip
        indicator = Indicator.objects.filter(code=record.str("indicator")).first()
        if indicator is None:
            raise record.error(f"unknown indicator {record.str('indicator')!r}", "indicator")
        period = record.mapping("period")
        if set(period) - {"kind", "start", "end", "text"}:
            raise record.error("must have only kind, start, end and text", "period")
        start = record.fuzzy_date("period", period.get("start") or {})
        end = record.fuzzy_date("period", period.get("end") or {})
        kind = period.get("kind") or PeriodKind.UNKNOWN
        if kind not in PeriodKind.values:
            raise record.error(f"period kind {kind!r} is not one of {', '.join(PeriodKind.values)}", "period")
        case_id = record.str("case")
        case = None
        if case_id:
            case = self.cases.get(case_id) or Case.objects.filter(public_id=case_id).first()
            if case is None:
                raise record.error(f"unknown case {case_id!r}", "case")
        fields = {
            "indicator": indicator,
            "value": record.decimal("value"),
            "value_upper": record.decimal("value_upper", required=False),
            "unit": record.str("unit", indicator.unit),
            "counted": record.str("counted"),
            "qualifier": record.choice("qualifier", Qualifier, default=Qualifier.EXACT),
            "period_kind": kind,
            "period_start_date": start.date,
            "period_start_precision": start.precision,
            "period_end_date": end.date,
            "period_end_precision": end.precision,
            "period_text": str(period.get("text") or ""),
            "case": case,
            "locality": self._locality_ref(record, "locality", record.data.get("locality")),
            "organisation": self._ref(record, "organisation", self.organisations, "organisation"),
            "initiative": self._ref(record, "initiative", self.initiatives, "initiative"),
            "note": record.str("note"),
        }
        key = record.str("key") or "|".join(
            str(v) for v in (indicator.code, fields["value"], fields["counted"], case_id, record.data.get("locality"),
                             record.data.get("organisation"), record.data.get("initiative"))
        )  # fmt: skip
        metric = self._upsert(record, Metric, key, fields)
        self._evidence(record, metric=metric)

    # -- evidence ----------------------------------------------------------------------

    def _evidence(self, record: Record, **subject: models.Model) -> None:
        ((subject_name, obj),) = subject.items()
        wanted = []
        for index, raw in enumerate(record.list("evidence")):
            item = Record(self.file, f"{record.label}.evidence[{index}]", raw if isinstance(raw, dict) else {})
            item.check_keys(["source", "quote", "claim", "occurrence"], required=["source", "quote"])
            source = self._ref(item, "source", self.sources, "source")
            quote = str(item.data["quote"])
            occurrence = item.data.get("occurrence", 1)
            if not isinstance(occurrence, int) or occurrence < 1:
                raise item.error("must be a positive whole number", "occurrence")
            try:
                start, end = source.locate(quote, occurrence)
            except ValidationError as error:
                raise item.error(error.message_dict["quote"][0], "quote") from None
            wanted.append((source.pk, start, end, quote, item.str("claim")))
        have = list(obj.evidence.order_by("id").values_list("source_id", "start", "end", "quote", "claim"))
        if have == wanted:
            return
        obj.evidence.all().delete()
        for source_id, start, end, quote, claim in wanted:
            evidence = Evidence(
                source_id=source_id, start=start, end=end, quote=quote, claim=claim, **{subject_name: obj}
            )
            evidence.full_clean()
            evidence.save()
        self.counts["evidence quotes written"] += len(wanted)

    # -- references and writes ---------------------------------------------------------

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


def load_corpus_file(path: Path) -> Counter[str]:
    """Load one corpus file (call inside a transaction; ``seeds.loader.load_all`` does)."""
    return CorpusLoader(path).load()
