"""Structured edit forms for candidates, one per fact type, instead of raw JSON.

Which form a fact type's candidates get is said by its entry in ``cases.extraction.facts``
(``review_form`` resolves it).

Each form reads the candidate's payload into plain fields and writes them back on save; bad
values are reported on the field they belong to. Accepting the candidate later uses the edited
payload (``cases.services.review.candidate_accept``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.module_loading import import_string

from cases.extraction.indicators import suggest_indicators
from cases.models import Candidate, DatePrecision, FactType, Indicator, Level, Locality, OrganisationKind, Qualifier
from cases.models.facts import PeriodKind
from cases.models.sources import CreditRole

NEW_PLACE_LEVELS = [(Level.COMMUNITY.value, Level.COMMUNITY.label), (Level.COMPOUND.value, Level.COMPOUND.label)]


def _locality_code_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=12, help_text=help_text)


def _place_picker(label: str, help_text: str) -> forms.ModelChoiceField:
    """The case form's place autocomplete (name, full name, code or alias), for a candidate."""
    return forms.ModelChoiceField(
        label=label,
        queryset=Locality.objects.all(),
        required=False,
        help_text=help_text,
        widget=AutocompleteSelect(Candidate._meta.get_field("locality"), admin.site),
    )


def place_path(place: Locality | None, new_name: str = "") -> str:
    """四川省 › 成都市 › 武侯区 › 玉林街道 (code), with a new place's name appended."""
    if place is None:
        return new_name or "—"
    names = [above.name for above in place.ancestors() if above.level != Level.COUNTRY] + [place.name]
    path = " › ".join(names) + (f" ({place.code})" if place.code else "")
    return f"{path} › {new_name}（新 new）" if new_name else path


def article_region(candidate: Candidate) -> Locality | None:
    """The prefecture most of the article's other proposed places lie in, if the article has one."""
    codes = []
    for other in candidate.source.candidates.filter(fact_type=FactType.LOCALITY).exclude(pk=candidate.pk):
        code = other.payload.get("code") or other.payload.get("parent_code") or ""
        if len(code) >= 4:
            codes.append(code[:4])
    if not codes:
        return None
    best = max(set(codes), key=codes.count)
    return Locality.objects.filter(code=best).first() if codes.count(best) * 2 > len(codes) else None


def describe_locality_key(field: forms.Field, payload: dict) -> None:
    """Say which place a proposal's ``locality_key`` names, as a full path, not a bare code."""
    key = payload.get("locality_key") or ""
    if not key:
        return
    if key.isdigit():
        place = Locality.objects.filter(code=key).first()
        field.help_text += f"; proposed: {place_path(place) if place else key}"
        return
    parent_key, _, name = key.rpartition("/")
    parent = Locality.objects.filter(code=parent_key).first() if parent_key.isdigit() else None
    field.help_text += f"; proposed: {place_path(parent, name) if parent else name}"


def fits_region(code: str, region: Locality | None) -> bool:
    return region is None or not code or code.startswith(region.code or "")


class CandidateForm(forms.ModelForm):
    """Common part: the label; subclasses add the fields of one fact type."""

    class Meta:
        model = Candidate
        fields = ["label"]

    payload_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        payload = self.instance.payload or {}
        for name in self.payload_fields:
            if name in payload and payload[name] is not None:
                self.initial.setdefault(name, payload[name])

    def clean_code_of(self, name: str, *, required: bool = False) -> str:
        """A statistical code that must name a locality in the database."""
        code = (self.cleaned_data.get(name) or "").strip()
        if not code:
            if required:
                raise forms.ValidationError("give a statistical code")
            return ""
        if not code.isdigit():
            raise forms.ValidationError(f"{code!r} is not a statistical code (digits only)")
        if not Locality.objects.filter(code=code).exists():
            raise forms.ValidationError(f"no locality has the code {code}")
        return code

    def build_payload(self, payload: dict) -> dict:
        return payload

    def save(self, commit: bool = True) -> Candidate:
        self.instance.payload = self.build_payload(dict(self.instance.payload or {}))
        return super().save(commit)


class LocalityCandidateForm(CandidateForm):
    place = _place_picker("地区 place", "pick a place of the gazetteer; leave empty for a new place")
    code = _locality_code_field("统计用区划代码 code", "or type its code")
    name = forms.CharField(label="名称 name", max_length=100)
    level = forms.ChoiceField(label="级别 level (new place)", choices=NEW_PLACE_LEVELS, required=False)
    parent_place = _place_picker("上级 parent", "where a new place belongs, e.g. its street")
    parent_code = _locality_code_field("上级代码 parent code", "or type the parent's code")
    payload_fields = ("code", "name", "level", "parent_code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        payload = self.instance.payload or {}
        if not self.instance.pk:
            return
        # The proposal as a full path, and a warning when it lies outside the article's other places.
        code = payload.get("code") or ""
        place = Locality.objects.filter(code=code).first() if code else None
        parent = None if place else Locality.objects.filter(code=payload.get("parent_code") or "-").first()
        proposed = place_path(place) if place else place_path(parent, payload.get("name", ""))
        region = article_region(self.instance)
        note = f"提议 proposed: {proposed}"
        if not fits_region(code or payload.get("parent_code") or "", region):
            note += f" — ⚠ 不在本文其他地点所在的{region.name} not in {region.name} like the article's other places"
        self.fields["place"].help_text = note
        if place is not None:
            self.initial.setdefault("place", place.pk)
        if parent is not None:
            self.initial.setdefault("parent_place", parent.pk)

    def clean_code(self):
        return self.clean_code_of("code")

    def clean_parent_code(self):
        return self.clean_code_of("parent_code")

    def clean(self):
        data = super().clean()
        # The picker wins over a typed code when both are given and differ.
        for picked, typed in (("place", "code"), ("parent_place", "parent_code")):
            chosen = data.get(picked)
            if chosen is not None and picked in self.changed_data:
                if not chosen.code and picked == "place":
                    self.add_error(
                        picked, "pick a place with a statistical code, or give a new place's name and parent"
                    )
                    continue
                data[typed] = chosen.code or ""
                if not chosen.code:
                    data["parent_id"] = chosen.pk
        if (
            not data.get("code")
            and not data.get("parent_code")
            and not data.get("parent_id")
            and not self.instance.payload.get("parent_key")
        ):
            self.add_error("parent_place", "a new place needs its parent: pick it or give its code")
        return data

    def build_payload(self, payload: dict) -> dict:
        data = self.cleaned_data
        if data["code"]:
            place = Locality.objects.get(code=data["code"])
            return {"code": place.code, "name": place.name, "level": place.level}
        payload.update(name=data["name"], level=data["level"] or Level.COMMUNITY, new=True)
        payload.pop("code", None)
        if data["parent_code"]:
            parent = Locality.objects.get(code=data["parent_code"])
            payload.update(parent_code=parent.code, parent_name=parent.name)
            payload.pop("parent_key", None)
            payload.pop("parent_id", None)
        elif data.get("parent_id"):
            parent = Locality.objects.get(pk=data["parent_id"])
            payload.update(parent_id=parent.pk, parent_name=parent.name)
            payload.pop("parent_key", None)
            payload.pop("parent_code", None)
        if "label" not in self.changed_data and payload.get("parent_name"):
            # The queue's label follows the correction (芳华社区（新，上级 玉林街道）).
            self.instance.label = f"{payload['name']}（新，上级 {payload['parent_name']}）"[:300]
        return payload


class OrganisationCandidateForm(CandidateForm):
    name = forms.CharField(label="名称 name", max_length=200)
    kind = forms.ChoiceField(label="类型 kind", choices=OrganisationKind.choices)
    other_names = forms.CharField(
        label="别名 other names", required=False, help_text="comma-separated short forms (社区党委, 街道工委)"
    )
    locality_code = _locality_code_field("地区代码 locality code", "the place it belongs to, if in the gazetteer")
    parent_name = forms.CharField(label="上级 parent (name)", required=False, max_length=200)
    payload_fields = ("name", "kind", "parent_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        payload = self.instance.payload or {}
        name = payload.get("name", "")
        self.initial.setdefault("other_names", "，".join(n for n in payload.get("names", []) if n != name))
        key = payload.get("locality_key") or ""
        if key.isdigit():
            self.initial.setdefault("locality_code", key)
        describe_locality_key(self.fields["locality_code"], payload)

    def clean_locality_code(self):
        return self.clean_code_of("locality_code")

    def build_payload(self, payload: dict) -> dict:
        data = self.cleaned_data
        others = [n.strip() for n in data["other_names"].replace("，", ",").split(",") if n.strip()]
        payload.update(name=data["name"], kind=data["kind"], names=list(dict.fromkeys([data["name"], *others])))
        if data["locality_code"]:
            payload["locality_key"] = data["locality_code"]
            payload["locality_name"] = Locality.objects.get(code=data["locality_code"]).name
        if data["parent_name"]:
            payload["parent_name"] = data["parent_name"]
        else:
            payload.pop("parent_name", None)
        return payload


class PersonCandidateForm(CandidateForm):
    name = forms.CharField(label="姓名 name", max_length=100)
    title = forms.CharField(
        label="职务 title", required=False, max_length=100, help_text="as printed, e.g. 社区党委书记"
    )
    # Not "organisation": the admin builds the form with Candidate's own fields, and a field of that
    # name would be read as the candidate's organisation link (a string given to a foreign key: a 500).
    organisation_name = forms.CharField(label="所在组织 organisation (name)", required=False, max_length=200)
    credit_role = forms.ChoiceField(
        label="署名 byline role", required=False, choices=[("", "—"), *CreditRole.choices[:3]]
    )
    payload_fields = ("name", "credit_role")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        positions = (self.instance.payload or {}).get("positions") or [{}]
        self.initial.setdefault("title", positions[0].get("title", ""))
        self.initial.setdefault("organisation_name", positions[0].get("organisation", ""))

    def clean(self):
        data = super().clean()
        if data.get("organisation_name") and not data.get("title"):
            self.add_error("title", "a post in an organisation needs its title")
        return data

    def build_payload(self, payload: dict) -> dict:
        data = self.cleaned_data
        positions = list(payload.get("positions") or [])
        first = {"title": data["title"]} if data["title"] else None
        if first and data["organisation_name"]:
            first["organisation"] = data["organisation_name"]
        positions = ([first] if first else []) + positions[1:]
        payload.update(name=data["name"], positions=positions)
        if data["credit_role"]:
            payload["credit_role"] = data["credit_role"]
        else:
            payload.pop("credit_role", None)
        return payload


class MetricCandidateForm(CandidateForm):
    indicator = forms.ChoiceField(label="指标 indicator", required=False)
    value = forms.DecimalField(label="数值 value", max_digits=18, decimal_places=4)
    value_upper = forms.DecimalField(
        label="上限 upper value", max_digits=18, decimal_places=4, required=False, help_text="for ranges (6—8)"
    )
    unit = forms.CharField(label="单位 unit", required=False, max_length=20)
    counted = forms.CharField(label="计数对象 what is counted", required=False, max_length=100)
    qualifier = forms.ChoiceField(label="限定 qualifier", choices=Qualifier.choices)
    locality_code = _locality_code_field("地区代码 locality code", "what the number describes, if not the case")
    payload_fields = ("indicator", "value", "value_upper", "unit", "counted", "qualifier")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        payload = self.instance.payload or {}
        indicators = list(Indicator.objects.order_by("code"))
        suggestions = suggest_indicators(
            unit=payload.get("unit", ""), counted=payload.get("counted", ""), indicators=indicators
        )
        suggested = {s.code for s in suggestions}
        # Suggestions first, marked, so the likely choice is one click away; the rest follow.
        self.fields["indicator"].choices = [
            ("", "— choose —"),
            *[(s.code, f"★ {s.label} (suggested)") for s in suggestions],
            *[(i.code, f"{i.name_zh} {i.name_en}") for i in indicators if i.code not in suggested],
        ]
        if not payload.get("indicator") and suggestions:
            self.fields["indicator"].help_text = "no rule fitted; suggested: " + ", ".join(s.label for s in suggestions)
        key = payload.get("locality_key") or ""
        if key.isdigit():
            self.initial.setdefault("locality_code", key)
        describe_locality_key(self.fields["locality_code"], payload)

    def clean_locality_code(self):
        return self.clean_code_of("locality_code")

    def clean(self):
        data = super().clean()
        value, upper = data.get("value"), data.get("value_upper")
        if value is not None and upper is not None and upper < value:
            self.add_error("value_upper", f"the upper value {upper} is below the value {value}")
        return data

    def build_payload(self, payload: dict) -> dict:
        data = self.cleaned_data

        def text(number: Decimal | None) -> str | None:
            return None if number is None else f"{number.normalize():f}"

        payload.update(
            indicator=data["indicator"] or None,
            value=text(data["value"]),
            value_upper=text(data["value_upper"]),
            unit=data["unit"],
            counted=data["counted"],
            qualifier=data["qualifier"],
        )
        if data["locality_code"]:
            payload["locality_key"] = data["locality_code"]
        return payload


class DateCandidateForm(CandidateForm):
    text = forms.CharField(label="原文 as printed", max_length=100)
    date = forms.DateField(label="日期 date", required=False, help_text="YYYY-MM-DD, first day of a year or month")
    precision = forms.ChoiceField(label="精度 precision", choices=DatePrecision.choices)
    period_kind = forms.ChoiceField(label="时段 period kind", choices=PeriodKind.choices)
    payload_fields = ("text", "precision", "period_kind")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date = (self.instance.payload or {}).get("date")
        if date:
            self.initial.setdefault("date", datetime.date.fromisoformat(date))

    def clean(self):
        data = super().clean()
        known = data.get("precision") not in (None, DatePrecision.UNKNOWN)
        if known and not data.get("date"):
            self.add_error("date", "a date of known precision needs the date")
        if not known and data.get("date"):
            self.add_error("precision", "say how much of the date is known")
        return data

    def build_payload(self, payload: dict) -> dict:
        data = self.cleaned_data
        payload.update(
            text=data["text"],
            date=data["date"].isoformat() if data["date"] else None,
            precision=data["precision"],
            period_kind=data["period_kind"],
        )
        return payload


def review_form(fact_type: str | None) -> type[CandidateForm]:
    """The form for ``fact_type``'s candidates: the one its ``cases.extraction.facts`` entry names,
    else the label only."""
    # Imported here: the fact table imports the whole extractor, which a process that never
    # reviews a candidate (an API worker, a management command) would import at start for nothing.
    from cases.extraction.facts import FACT_TYPES

    kind = FACT_TYPES.get(fact_type)
    return import_string(kind.form) if kind is not None and kind.form else CandidateForm
