"""A small world for API tests: places at every level, published cases on each, a draft beside them.

Built once per module (see conftest.world); tests compute expected rows from these objects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from cases.models import (
    Case,
    CaseOrganisation,
    DatePrecision,
    Evidence,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    Level,
    Locality,
    LocalityAlias,
    Metric,
    OrganisationKind,
    Position,
    SourceCredit,
    Status,
)
from tests import factories


@dataclass
class World:
    places: dict[str, Locality]
    cases: dict[str, Case]
    draft: Case
    themes: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)

    @property
    def published(self) -> list[Case]:
        return list(self.cases.values())


def _year(year: int) -> dict:
    return {"date": datetime.date(year, 1, 1), "precision": DatePrecision.YEAR}


def build_world() -> World:
    places = factories.chengdu_tree()
    places["jinniu"] = factories.locality(name="金牛区", level=Level.COUNTY, parent=places["chengdu"], code="510106")
    places["jinquan"] = factories.locality(
        name="金泉街道", level=Level.TOWNSHIP, parent=places["jinniu"], code="510106040"
    )
    beijing = factories.locality(name="北京市", level=Level.PROVINCE, code="11")
    bj_districts = factories.locality(name="市辖区", level=Level.PREFECTURE, parent=beijing, code="1101")
    places["beijing"] = beijing
    places["bj_chaoyang"] = factories.locality(name="朝阳区", level=Level.COUNTY, parent=bj_districts, code="110105")
    jilin = factories.locality(name="吉林省", level=Level.PROVINCE, code="22")
    changchun = factories.locality(name="长春市", level=Level.PREFECTURE, parent=jilin, code="2201")
    places["cc_chaoyang"] = factories.locality(name="朝阳区", level=Level.COUNTY, parent=changchun, code="220104")
    guizhou = factories.locality(name="贵州省", level=Level.PROVINCE, code="52")
    qdn = factories.locality(name="黔东南苗族侗族自治州", level=Level.PREFECTURE, parent=guizhou, code="5226")
    jinping = factories.locality(name="锦屏县", level=Level.COUNTY, parent=qdn, code="522628")
    places["gz_jinquan"] = factories.locality(name="金泉街道", level=Level.TOWNSHIP, parent=jinping, code="522628001")
    LocalityAlias.objects.create(locality=places["chengdu"], name="成都")

    themes = {name: factories.theme(code=name, name_zh=f"主题{name}") for name in ("property", "education")}
    indicators = {name: factories.indicator(code=name) for name in ("compounds", "firms")}
    orgs = {
        "committee": factories.organisation(name="长城社区党委", kind=OrganisationKind.PARTY_COMMITTEE),
        "firm": factories.organisation(name="嘉宝物业", kind=OrganisationKind.PROPERTY_FIRM),
    }
    sources = {"report": factories.source(), "other": factories.source(headline="另一篇报道")}

    cases: dict[str, Case] = {}
    levels = ["compound", "changcheng", "shaocheng", "qingyang", "chengdu", "sichuan", "jinquan", "bj_chaoyang"]
    for index, key in enumerate(levels):
        period = _year(2015 + index)
        cases[key] = factories.case(
            primary_locality=places[key],
            period_start_date=period["date"],
            period_start_precision=period["precision"],
            period_end_date=datetime.date(2015 + index, 6, 1),
            period_end_precision=DatePrecision.MONTH,
        )
    # A Beijing case that also reaches into 少城街道 through a further locality.
    cases["further"] = factories.case(primary_locality=places["beijing"])
    cases["further"].localities.add(places["shaocheng"])

    cases["changcheng"].themes.add(themes["property"])
    cases["shaocheng"].themes.add(themes["property"], themes["education"])
    cases["sichuan"].themes.add(themes["education"])
    CaseOrganisation.objects.create(case=cases["changcheng"], organisation=orgs["committee"], role="牵头 lead")
    CaseOrganisation.objects.create(case=cases["qingyang"], organisation=orgs["firm"], role="成员 member")
    cases["changcheng"].sources.add(sources["report"])
    cases["chengdu"].sources.add(sources["other"])

    person = factories.person(name="代蕊婷")
    cases["changcheng"].people.add(person)
    Position.objects.create(person=person, organisation=orgs["committee"], title="社区党委书记")
    SourceCredit.objects.create(source=sources["report"], role="reporter", person=person, as_printed="本报记者 代蕊婷")

    initiative = Initiative.objects.create(name="红色物业联盟", kind=InitiativeKind.ALLIANCE)
    initiative.localities.add(places["changcheng"])
    InitiativeParticipant.objects.create(initiative=initiative, organisation=orgs["firm"], role="member")
    cases["changcheng"].initiatives.add(initiative)

    metrics = [
        factories.metric(indicator_obj=indicators["compounds"], value=Decimal(18), case=cases["changcheng"]),
        factories.metric(indicator_obj=indicators["firms"], value=Decimal(13), case=cases["changcheng"]),
        factories.metric(
            indicator_obj=indicators["compounds"],
            value=Decimal(6),
            value_upper=Decimal(8),
            case=cases["bj_chaoyang"],
            period_start_date=datetime.date(2020, 3, 1),
            period_start_precision=DatePrecision.MONTH,
        ),
        factories.metric(
            indicator_obj=indicators["firms"], value=Decimal(40), case=cases["sichuan"], locality=places["jinquan"]
        ),
    ]
    Evidence.objects.create(
        source=sources["report"], start=0, end=4, quote=sources["report"].text[:4], metric=metrics[0]
    )

    draft = build_canary_draft(places["shaocheng"], themes["property"], indicators["compounds"], "NEVERSEEN")
    return World(
        places=places,
        cases=cases,
        draft=draft,
        themes=themes,
        indicators=indicators,
        organisations=orgs,
        sources=sources,
        metrics=metrics,
    )


def build_canary_draft(place: Locality, theme, indicator, token: str) -> Case:
    """A draft case carrying ``token`` in every text field, with facts attached only to it."""
    compound = factories.locality(name=f"{token}小区", level=Level.COMPOUND, parent=place)
    draft = factories.case(
        primary_locality=compound,
        status=Status.DRAFT,
        public_id=f"draft-{token.lower()}",
        title_zh=f"{token}标题",
        title_en=f"{token} title",
        summary_zh=f"{token}摘要",
        summary_en=f"{token} summary",
        period_text=f"{token}年",
    )
    draft.themes.add(theme)
    org = factories.organisation(name=f"{token}党委", name_en=token, description=token, kind=OrganisationKind.OTHER)
    CaseOrganisation.objects.create(case=draft, organisation=org, role=token)
    person = factories.person(name=f"{token}人", name_en=token, note=token)
    draft.people.add(person)
    Position.objects.create(person=person, organisation=org, title=f"{token}书记")
    source = factories.source(headline=f"{token}报道", outlet=f"{token}报", text=f"{token}的全文。")
    draft.sources.add(source)
    SourceCredit.objects.create(source=source, role="author", person=person, as_printed=f"{token}作者")
    initiative = Initiative.objects.create(name=f"{token}联盟", kind=InitiativeKind.ALLIANCE, description=token)
    initiative.localities.add(compound)
    draft.initiatives.add(initiative)
    InitiativeParticipant.objects.create(initiative=initiative, organisation=org, role="lead", note=token)
    metric = factories.metric(
        indicator_obj=indicator, value=Decimal("987654321"), case=draft, counted=token, note=token, period_text=token
    )
    Evidence.objects.create(source=source, start=0, end=len(token), quote=token, metric=metric, claim=token)
    Evidence.objects.create(source=source, start=0, end=len(token), quote=token, case=draft, claim=token)
    return draft
