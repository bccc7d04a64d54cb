"""Forms found in the third held-out round (``fixtures/held_out_3``): herding villages named by
their committees, villages listed by bare names before a count, a county's short form at the start of
a village's name, residents' committees written as 社区, numerals inside place names, Yi names,
credits and publishers in page furniture, mastheads. Texts are written for these tests; places are
fixture gazetteer rows (``tests/fixtures/gazetteer/make_fixture.py``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases.extraction.extract import extract
from seeds.gazetteer.build import village_place_name

pytestmark = pytest.mark.usefixtures("seeded")


def of_type(text: str, fact_type: str) -> list:
    return [f for f in extract(text) if f.fact_type == fact_type]


def codes(text: str) -> set[str]:
    return {f.payload["code"] for f in of_type(text, "locality") if f.payload.get("code")}


def names(text: str, fact_type: str) -> dict[str, dict]:
    return {f.payload["name"]: f.payload for f in of_type(text, fact_type)}


def test_a_herding_village_committee_row_is_named_as_its_gacha():
    assert village_place_name("艾日格嘎查委员会") == "艾日格嘎查"


def test_gachas_listed_by_their_bare_names_get_their_codes():
    found = codes("四子王旗江岸苏木“马背宣讲队”先后走进艾日格、卫境两个嘎查，把政策送到牧民家门口。")
    assert {"150929201200", "150929201203"} <= found


def test_a_count_of_gachas_is_a_count_of_villages():
    (metric,) = [f for f in of_type("下一步将把宣讲范围扩大到全苏木8个嘎查。", "metric")]
    assert metric.payload["counted"] == "嘎查"
    assert metric.payload["indicator"] == "villages_covered"


def test_every_bare_name_of_a_list_before_a_count_of_villages_is_a_village_of_the_town():
    found = codes("缙云县壶镇镇以括苍、杭川、陇东3个村为主体组建强村公司，总投资1280万元。")
    assert {"331122101330", "331122101337", "331122101338"} <= found


def test_a_county_short_form_at_the_start_of_a_village_name_yields_to_the_village():
    found = codes("大悟县芳畈镇以大悟山村为中心，辐射带动吴河村成立联合党委。")
    assert "420922102200" in found


def test_a_community_written_for_a_residents_committee_of_the_town_is_that_committee():
    facts = of_type("西平县柏城街道推行三方联动机制。在西关社区，物业公司新增充电桩40个。", "locality")
    assert "411721001002" in {f.payload.get("code") for f in facts}
    assert not [f for f in facts if f.payload.get("new") and f.payload["name"] == "西关社区"]


def test_a_numeral_inside_a_coded_place_name_is_not_a_metric():
    metrics = of_type("杨浦区殷行街道开鲁五村今年签约加装电梯18台，开鲁四村也在推进。", "metric")
    assert [Decimal(f.payload["value"]) for f in metrics] == [Decimal(18)]


def test_villages_counted_with_the_cantonese_classifier_are_villages():
    (metric,) = of_type("杏坛镇逢简村、北水村等4条村近日联合成立强村公司。", "metric")
    assert metric.payload["indicator"] == "villages_covered"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("驻村第一书记阿的拉哈和村“两委”干部围坐在火塘边。", "阿的拉哈"),
        ("“现在能省两三万元。”火洛村村民俄木伍沙说。", "俄木伍沙"),
        ("嘎查党支部书记、嘎查达其木格介绍，嘎查今年新建储草棚6座。", "其木格"),
    ],
)
def test_a_name_after_a_title_is_read_without_a_common_surname(text, name):
    assert name in names(text, "person")


def test_people_credited_in_a_pages_meta_line_are_proposed():
    meta = "来源：昭觉县融媒体中心　作者：吉克阿依　编辑：沙马日火　2024-12-18 09:30"
    text = f"昭觉：火塘夜话\n\n{meta}\n\n夜幕降临，村民围坐。"
    found = names(text, "person")
    assert found["吉克阿依"]["credit_role"] == "author"
    assert "沙马日火" in found


def test_a_placeholder_editor_in_a_meta_line_is_not_a_person():
    text = "标题\n\n编辑：王某某\n\n近日，社区召开议事会。"
    assert "王某某" not in names(text, "person")


def test_the_publisher_in_a_government_sites_header_is_proposed():
    header = "索引号：11150929MB1D40271X/2024-00158 | 发布机构：江岸苏木人民政府 | 发布日期：2024-08-12"
    text = f"{header}\n\n近日，江岸苏木开展宣讲。"
    assert "江岸苏木人民政府" in names(text, "organisation")


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("解放日报　2024年11月05日　第05版：城事\n\n老小区加装电梯\n\n殷行街道今年签约加装电梯18台。", "解放日报"),
        ("【大公報訊】記者 黃敏 佛山報道：杏壇鎮四條村近日聯合成立公司。", "大公报"),
    ],
)
def test_a_masthead_printed_with_its_date_or_wire_tag_is_media(text, outlet):
    assert names(text, "organisation")[outlet]["kind"] == "media"


def test_a_bodys_name_never_starts_inside_the_place_before_its_suffix():
    found = names("杏坛镇逢简村、北水村联合成立公司。逢简村党委书记说，公司已提供岗位120多个。", "organisation")
    assert "逢简村党委" in found
    assert "简村党委" not in found


def test_a_short_bracket_after_a_noun_is_part_of_what_is_counted():
    metrics = {f.payload["value"]: f.payload for f in of_type("全县已组建联合党委11个，覆盖村（社区）57个。", "metric")}
    assert metrics["57"]["counted"] == "村（社区）"
    assert metrics["57"]["indicator"] == "villages_covered"


def test_half_a_year_after_an_event_is_not_a_metric():
    assert not of_type("公司成立半年，已为村民提供就业岗位。", "metric")


def test_a_given_name_character_that_can_follow_names_is_read_into_the_name():
    found = names("壶镇镇党委书记楼志刚介绍，镇里每季度公开一次账目。", "person")
    assert "楼志刚" in found
    assert "楼志" not in found


def test_an_idiom_is_not_a_person():
    found = names("镇党委书记马海军介绍，高价彩礼、薄养厚葬等陈规陋习明显减少。", "person")
    assert "陈规陋习" not in found


def test_a_county_named_only_in_a_page_label_is_not_a_place_of_the_report():
    text = "泰州日报　第A3版：兴化新闻\n\n“微网格”里办成群众身边事\n\n兴化市安丰镇塘港村网格员每天走村串户。"
    assert "321281" not in codes(text)


def test_the_city_a_reporter_files_from_is_not_a_place_of_the_report():
    text = "【大公報訊】記者 黃敏 佛山報道：順德區杏壇鎮逢簡村近日成立強村公司。"
    assert "4406" not in codes(text)


def test_a_surname_that_starts_an_ordinary_word_after_a_weak_title_is_no_name():
    assert not names("经村民代表大会表决，各村出资50万元。", "person")


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("缙云县壶镇镇括苍村党总支书记、村委会主任应建华说，抱团才能办成大事。", "括苍村村委会"),
        ("德阳市旌阳区东湖街道党工委副书记、办事处主任唐永春说，效果好得多。", "东湖街道办事处"),
        ("佛山市顺德区杏坛镇人大主席梁志强介绍，4村各出资50万元。", "杏坛镇人大"),
    ],
)
def test_a_body_named_in_a_title_by_its_suffix_or_abbreviation_is_the_places(text, body):
    assert body in names(text, "organisation")


def test_a_level_committee_printed_only_to_qualify_its_department_is_not_proposed():
    found = names("大悟县委组织部相关负责人表示，全县已组建联合党委11个。", "organisation")
    assert "大悟县委组织部" in found
    assert "大悟县委" not in found


def test_meetings_counted_with_a_bare_hui_are_sessions():
    (metric,) = of_type("居民区为此搭起议事会，先后开了五十多次会。", "metric")
    assert metric.payload["counted"] == "会"
    assert metric.payload["indicator"] == "sessions_held"


def test_councils_counted_in_ge_are_not_courtyards_nor_sessions():
    (metric,) = of_type("在东湖街道，像凯江社区这样的“院落议事会”已有23个。", "metric")
    assert metric.payload["counted"] == "院落议事会"
    assert metric.payload["indicator"] is None
    assert metric.payload["suggested_indicators"]


def test_a_compound_named_after_a_preposition_is_a_new_place_under_the_community():
    text = "德阳市旌阳区东湖街道凯江社区党委牵头，先后为凯江花园小区打通“五道难关”。"
    found = [f for f in of_type(text, "locality") if f.payload.get("new")]
    assert "凯江花园小区" in [f.payload["name"] for f in found]


def test_a_doubled_cun_is_every_village_not_a_village():
    found = of_type("壶镇村村抱团 “强村公司”跑出共富加速度\n\n缙云县壶镇镇括苍村的厂房里机器轰鸣。", "locality")
    assert not [f for f in found if f.payload.get("new")]


@pytest.mark.parametrize(
    ("text", "value", "upper"), [("一场下来能省两三万元。", "2", "3"), ("每次来了三四十人。", "30", "40")]
)
def test_two_neighbouring_numerals_are_a_range(text, value, upper):
    (metric,) = of_type(text, "metric")
    assert (metric.payload["value"], metric.payload["value_upper"]) == (value, upper)
