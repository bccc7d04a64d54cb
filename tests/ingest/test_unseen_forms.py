"""Forms found in the second held-out round: stations named by their suffix, outlets printed only in
page furniture or a 融媒讯 credit, places that LAC reads as people, fractions and the counts they
map to. Texts are written for these tests; places are fixture gazetteer rows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases.extraction.extract import extract
from cases.extraction.metrics import metric_mentions

pytestmark = pytest.mark.usefixtures("seeded")


def facts(text: str, fact_type: str) -> dict[str, dict]:
    return {f.payload["name"]: f.payload for f in extract(text) if f.fact_type == fact_type}


def test_a_station_named_by_its_suffix_alone_is_the_townships():
    found = facts("长葛市石固镇推行议事机制。镇派出所、司法所和村干部组成联调小组，化解纠纷43起。", "organisation")
    assert "石固镇司法所" in found
    assert "石固镇派出所" in found


def test_the_body_a_page_names_in_its_source_line_is_proposed():
    text = "石固镇：板凳会开到家门口\n\n发布时间：2024-05-16 来源：石固镇人民政府\n\n近日，石固镇召开议事会87场。"
    assert "石固镇人民政府" in facts(text, "organisation")


def test_an_outlet_printed_only_in_a_source_line_is_media():
    text = "北京街道：红色物业让老街区焕新颜\n\n来源：南方日报　　2024-03-21\n\n北京街道辖内老旧小区多。"
    assert facts(text, "organisation")["南方日报"]["kind"] == "media"


def test_a_source_line_naming_a_place_proposes_no_body():
    text = "敲门行动\n\n发布时间：2024-11-05 信息来源：酒泉路街道 浏览次数：128\n\n近日，酒泉路街道走访老人426户。"
    assert "酒泉路街道" not in facts(text, "organisation")


def test_a_county_media_centre_credit_is_an_outlet_and_its_reporters_people():
    text = "议事厅议出和美新村\n\n金秀融媒讯（记者 韦 丽 通讯员 盘小军）近日，金秀瑶族自治县六巷乡试点议事厅。"
    assert "金秀融媒" in facts(text, "organisation")
    people = facts(text, "person")
    assert {"韦丽", "盘小军"} <= set(people)
    assert "金秀" not in people


def test_a_headline_with_a_verb_before_a_body_proposes_no_organisation():
    text = "茶叶产业链上建起党支部\n\n某某日报记者 王 磊\n\n石固镇党委推动在茶叶合作社中建立党支部5个。"
    assert not [name for name in facts(text, "organisation") if "建起" in name]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("议事会开到家门口\n\n本报记者 扎西多吉\n\n八廓街道推行议事会。", "扎西多吉"),
        ("议事会开到家门口\n\n本报记者 巴 图\n\n东街街道推行议事会。", "巴图"),
        ("石固镇推行议事会。社区党委书记格桑央金说，今年化解纠纷12起。", "格桑央金"),
        ("石固镇推行议事会。网格员其其格介绍，驿站服务群众300人次。", "其其格"),
    ],
)
def test_a_name_without_a_surname_is_read_in_a_byline_and_after_a_title(text, name):
    assert name in facts(text, "person")


def test_a_masthead_with_a_brand_before_it_is_read_in_the_byline():
    text = "网格织密 服务到家\n\n新甘肃·甘肃日报记者 马 军\n\n清晨七点，西路街道网格员已经开始巡查。"
    assert "马军" in facts(text, "person")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三分之二的问题当场解决。", Decimal("66.67")),
        ("约2/3的居民参与了议事。", Decimal("66.67")),
        ("四分之一的农户种植茶叶。", Decimal("25")),
    ],
)
def test_a_fraction_is_a_share_in_per_cent(text, value):
    (metric,) = metric_mentions(text)
    assert (metric.value, metric.unit) == (value, "%")


def test_a_date_or_a_path_is_not_a_fraction():
    assert metric_mentions("发布时间：2024/05/16，图片见 img/2024/06/a1.jpg。") == []


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("社区党委联合物业企业开展联合巡查46次。", "inspections_conducted"),
        ("今年以来排查安全隐患210处。", "violations_found"),
        ("网格员发现并上报问题1300余件。", "violations_found"),
        ("今年已议定并落实道路修缮等事项19件。", "problems_solved"),
        ("街道还建成长者食堂2个。", "service_centres_built"),
        ("形成“15分钟助餐服务圈”。", "service_radius_minutes"),
    ],
)
def test_what_is_counted_maps_to_its_indicator(text, indicator):
    assert [m.indicator for m in metric_mentions(text)] == [indicator]
