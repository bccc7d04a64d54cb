from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Evidence, Level, Locality, Metric, Organisation, OrganisationKind
from tests import factories


@pytest.fixture
def tree(db) -> dict[str, Locality]:
    return factories.chengdu_tree()


def test_full_name_joins_ancestors_below_the_country(tree):
    assert tree["compound"].full_name == "四川省成都市青羊区少城街道长城社区汇厦少城琴台府小区"


def test_full_name_skips_placeholder_levels(db):
    tianjin = factories.locality(name="天津市", level=Level.PROVINCE, code="12")
    districts = factories.locality(name="市辖区", level=Level.PREFECTURE, parent=tianjin, code="1201")
    heping = factories.locality(name="和平区", level=Level.COUNTY, parent=districts, code="120101")
    assert heping.full_name == "天津市和平区"


@pytest.mark.parametrize(
    ("ancestor", "expected"),
    [
        ("sichuan", {"sichuan", "chengdu", "qingyang", "shaocheng", "changcheng", "compound"}),
        ("chengdu", {"chengdu", "qingyang", "shaocheng", "changcheng", "compound"}),
        ("qingyang", {"qingyang", "shaocheng", "changcheng", "compound"}),
        ("shaocheng", {"shaocheng", "changcheng", "compound"}),
        ("changcheng", {"changcheng", "compound"}),
        ("compound", {"compound"}),
    ],
)
def test_within_returns_the_place_and_everything_beneath_at_every_level(tree, ancestor, expected):
    guizhou = factories.locality(name="贵州省", level=Level.PROVINCE, code="52")
    qiandongnan = factories.locality(name="黔东南苗族侗族自治州", level=Level.PREFECTURE, parent=guizhou, code="5226")
    factories.locality(
        name="金泉街道",
        level=Level.TOWNSHIP,
        parent=factories.locality(name="丹寨县", level=Level.COUNTY, parent=qiandongnan, code="522636"),
        code="522636001",
    )
    found = set(Locality.objects.within(tree[ancestor]).values_list("pk", flat=True))
    assert found == {tree[name].pk for name in expected}


def test_within_can_exclude_the_place_itself(tree):
    assert tree["compound"] not in Locality.objects.within(tree["compound"], include_self=False)
    assert set(Locality.objects.within(tree["changcheng"], include_self=False)) == {tree["compound"]}


def test_moving_a_locality_repaths_its_descendants(tree):
    jinniu = factories.locality(name="金牛区", level=Level.COUNTY, parent=tree["chengdu"], code="510106")
    street = factories.locality(name="金泉街道", level=Level.TOWNSHIP, parent=jinniu, code="510106040")
    community = tree["changcheng"]
    community.parent = street
    community.save()
    tree["compound"].refresh_from_db()
    assert tree["compound"] in Locality.objects.within(street)
    assert tree["compound"] not in Locality.objects.within(tree["shaocheng"])
    assert tree["compound"].full_name.startswith("四川省成都市金牛区金泉街道长城社区")


def test_code_prefix_query_matches_descendant_codes(tree):
    assert set(Locality.objects.with_code_prefix("5101")) == {tree["chengdu"], tree["qingyang"], tree["shaocheng"]}


def test_named_matches_name_and_alias(tree):
    tree["chengdu"].aliases.create(name="成都")
    assert list(Locality.objects.named("成都")) == [tree["chengdu"]]
    assert list(Locality.objects.named("成都市")) == [tree["chengdu"]]


def test_database_rejects_a_code_of_the_wrong_length(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.create(name="错", level=Level.COUNTY, parent=tree["chengdu"], code="51010")


def test_database_rejects_duplicate_codes(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.create(name="重复", level=Level.COUNTY, parent=tree["chengdu"], code="510105")


@pytest.mark.parametrize(
    ("level", "code", "field"),
    [
        (Level.COUNTY, "51010x", "code"),
        (Level.COUNTY, "5101", "code"),
        (Level.COUNTY, "520102", "code"),
        (Level.PROVINCE, "52", "level"),
    ],
)
def test_clean_names_the_wrong_field(tree, level, code, field):
    loc = Locality(name="测试", level=level, parent=tree["chengdu"], code=code)
    with pytest.raises(ValidationError) as caught:
        loc.full_clean(exclude=["path", "full_name"])
    assert field in caught.value.message_dict


def test_is_party_follows_the_kind(db):
    assert Organisation(name="x", kind=OrganisationKind.PARTY_GENERAL_BRANCH).is_party
    assert Organisation(name="x", kind=OrganisationKind.DISCIPLINE_INSPECTION).is_party
    assert not Organisation(name="x", kind=OrganisationKind.PROPERTY_FIRM).is_party


def test_metric_range_must_be_ordered_in_clean_and_database(tree):
    indicator = factories.indicator()
    metric = Metric(indicator=indicator, value=8, value_upper=6, locality=tree["chengdu"])
    with pytest.raises(ValidationError) as caught:
        metric.full_clean()
    assert "value_upper" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        metric.save()


def test_metric_must_describe_something(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Metric.objects.create(indicator=factories.indicator(), value=1)


def test_metric_display_value_reads_like_the_page(tree):
    indicator = factories.indicator(unit="个")
    assert Metric(indicator=indicator, value=6, value_upper=8, unit="个", counted="村").display_value() == "6—8个村"
    assert Metric(indicator=indicator, value=60, qualifier="more_than", unit="条").display_value() == "60余条"
    assert (
        Metric(indicator=indicator, value=50000, qualifier="approximately", unit="人次").display_value()
        == "约50000人次"
    )


def test_evidence_quote_must_occur_in_its_source(tree):
    source = factories.source(text="长城社区有18个小区，引进了13家物业公司。")
    org = factories.organisation()
    start, end = source.locate("13家物业公司")
    assert source.text[start:end] == "13家物业公司"
    with pytest.raises(ValidationError) as caught:
        source.locate("14家物业公司")
    assert "does not occur" in caught.value.message_dict["quote"][0]
    wrong = Evidence(source=source, start=0, end=4, quote="引进了13", organisation=org)
    with pytest.raises(ValidationError):
        wrong.full_clean()


def test_evidence_supports_exactly_one_fact(tree):
    source = factories.source(text="长城社区有18个小区")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(source=source, start=0, end=4, quote="长城社区")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            source=source,
            start=0,
            end=4,
            quote="长城社区",
            locality=tree["changcheng"],
            organisation=factories.organisation(),
        )


def test_intertitles_must_occur_in_the_text_in_order(db):
    source = factories.source(text="第一节标题\n正文一。\n第二节标题\n正文二。")
    source.intertitles = ["第一节标题", "第二节标题"]
    source.full_clean()
    assert [title for _, _, title in source.intertitle_spans()] == ["第一节标题", "第二节标题"]
    source.intertitles = ["第二节标题", "第一节标题"]
    with pytest.raises(ValidationError, match="after the intertitle before it"):
        source.full_clean()
    source.intertitles = ["第三节标题"]
    with pytest.raises(ValidationError, match="does not occur in the text"):
        source.full_clean()
    source.intertitles = "第一节标题"
    with pytest.raises(ValidationError, match="a list of non-empty strings"):
        source.full_clean()


def test_an_organisation_cannot_be_its_own_predecessor(db):
    organisation = Organisation.objects.create(name="联村党委", kind=OrganisationKind.PARTY_COMMITTEE)
    organisation.predecessor = organisation
    with pytest.raises(IntegrityError), transaction.atomic():
        organisation.save()
