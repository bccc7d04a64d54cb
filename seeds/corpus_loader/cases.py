"""What cases are made of: initiatives, the cases themselves and their metrics."""

from __future__ import annotations

from django.utils import timezone

from cases.models import (
    Case,
    CaseOrganisation,
    Indicator,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    Metric,
    ParticipantRole,
    PeriodKind,
    Qualifier,
    Status,
    Theme,
)
from seeds.parsing import Record


class CaseFactsMixin:
    """The ``initiatives``, ``cases`` and ``metrics`` sections."""

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
