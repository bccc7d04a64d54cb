"""Small builders for test data. Keyword arguments override the defaults.

Tests that need the curated seed page load it with ``seeds.loader`` instead.
"""

from __future__ import annotations

import itertools

from django.utils import timezone

from cases.models import (
    Case,
    Indicator,
    Level,
    Locality,
    Metric,
    Organisation,
    OrganisationKind,
    Person,
    Source,
    SourceKind,
    Status,
    Theme,
)

_counter = itertools.count(1)


def country() -> Locality:
    found = Locality.objects.filter(level=Level.COUNTRY).first()
    return found or Locality.objects.create(name="中华人民共和国", level=Level.COUNTRY)


def locality(*, name: str, level: str, parent: Locality | None = None, code: str | None = None) -> Locality:
    return Locality.objects.create(name=name, level=level, parent=parent or country(), code=code)


def chengdu_tree() -> dict[str, Locality]:
    """四川省 › 成都市 › 青羊区 › 少城街道 › 长城社区 › 琴台府小区, with real codes down to the township."""
    sichuan = locality(name="四川省", level=Level.PROVINCE, code="51")
    chengdu = locality(name="成都市", level=Level.PREFECTURE, parent=sichuan, code="5101")
    qingyang = locality(name="青羊区", level=Level.COUNTY, parent=chengdu, code="510105")
    shaocheng = locality(name="少城街道", level=Level.TOWNSHIP, parent=qingyang, code="510105005")
    changcheng = locality(name="长城社区", level=Level.COMMUNITY, parent=shaocheng)
    compound = locality(name="汇厦少城琴台府小区", level=Level.COMPOUND, parent=changcheng)
    return {
        "sichuan": sichuan,
        "chengdu": chengdu,
        "qingyang": qingyang,
        "shaocheng": shaocheng,
        "changcheng": changcheng,
        "compound": compound,
    }


def source(**overrides) -> Source:
    n = next(_counter)
    fields = {
        "outlet": "人民日报",
        "headline": f"测试报道{n}",
        "kind": SourceKind.REPORT,
        "text": f"长城社区有18个小区，引进了13家物业公司。测试{n}",
    }
    fields.update(overrides)
    return Source.objects.create(**fields)


def theme(**overrides) -> Theme:
    n = next(_counter)
    fields = {"code": f"theme_{n}", "name_zh": f"主题{n}", "name_en": f"Theme {n}"}
    fields.update(overrides)
    return Theme.objects.create(**fields)


def indicator(**overrides) -> Indicator:
    n = next(_counter)
    fields = {"code": f"indicator_{n}", "name_zh": f"指标{n}", "name_en": f"Indicator {n}", "unit": "个"}
    fields.update(overrides)
    return Indicator.objects.create(**fields)


def organisation(**overrides) -> Organisation:
    n = next(_counter)
    fields = {"name": f"测试社区党委{n}", "kind": OrganisationKind.PARTY_COMMITTEE}
    fields.update(overrides)
    return Organisation.objects.create(**fields)


def person(**overrides) -> Person:
    n = next(_counter)
    fields = {"name": f"测试人{n}"}
    fields.update(overrides)
    return Person.objects.create(**fields)


def case(*, primary_locality: Locality, status: str = Status.PUBLISHED, **overrides) -> Case:
    n = next(_counter)
    fields = {
        "public_id": f"test-case-{n}",
        "title_zh": f"测试案例{n}",
        "title_en": f"Test case {n}",
        "status": status,
        "primary_locality": primary_locality,
    }
    if status == Status.PUBLISHED:
        fields["published_at"] = timezone.now()
    fields.update(overrides)
    return Case.objects.create(**fields)


def metric(*, indicator_obj: Indicator, value, **overrides) -> Metric:
    fields = {"indicator": indicator_obj, "value": value}
    fields.update(overrides)
    return Metric.objects.create(**fields)
