"""The places of one article cohere: each is read against the others, the province they share and
the form it is printed in. Texts are written for these tests; the places are fixture gazetteer rows.
"""

from __future__ import annotations

import pytest

from cases.extraction.extract import extract

pytestmark = pytest.mark.usefixtures("seeded")


def localities(text: str) -> dict[str, tuple[dict, float]]:
    facts = [f for f in extract(text) if f.fact_type == "locality"]
    return {f.payload.get("code") or f.label: (f.payload, f.confidence) for f in facts}


def names(text: str) -> set[str]:
    return {payload["name"] for payload, _ in localities(text).values()}


def test_the_dateline_city_is_the_reporters_not_a_place_of_the_report():
    found = localities("本报哈尔滨6月18日电（记者 刘洋）抚远市乌苏镇推动党建引领乡村治理。")
    assert "2301" not in found
    assert "230883103" in found


def test_a_township_named_only_by_its_suffix_is_not_a_place():
    # Two NBS townships are called just 街道; in prose the word is never them.
    found = names("建北街道邀请律师进驻社区，在街道9个社区设立法律服务室。")
    assert "街道" not in found


def test_a_county_short_form_inside_a_persons_name_needs_a_related_place_not_only_its_province():
    found = localities("长葛市石固镇召开议事会。镇党委书记赵卫东说，将在全镇推广。")
    assert "410403" not in found  # 卫东区, in the same province but not around 石固镇
    assert "411082103" in found


def test_a_prefecture_short_form_in_another_province_is_not_guessed():
    found = localities("莆田秀屿区东庄镇组建新乡贤参事会，新乡贤回村办实事。")
    assert "4107" not in found  # 新乡 in 新乡贤, an article about Fujian


def test_an_ordinary_word_that_names_a_county_elsewhere_is_not_proposed():
    found = localities("衡阳街道是南宁市西乡塘区的老城区，辖区有物业企业23家。")
    assert "410302" not in found  # 老城区 of Luoyang
    assert "450107001" in found


def test_a_county_that_only_contains_the_place_the_text_is_about_is_not_a_fact():
    found = localities("百色田东县祥周镇——\n\n祥周镇是田东县的芒果主产区，镇党委推动建立党支部7个。")
    assert "451022101" in found
    assert "451022" not in found


def test_a_county_that_is_the_subject_of_a_clause_is_a_fact():
    found = localities("合肥包河区——\n\n包河区今年计划改造老旧小区38个。望湖街道的居民议事会已召开3次。")
    assert "340111" in found


def test_a_printed_chain_of_ambiguous_names_settles_them_together():
    found = localities("呼和浩特新城区东街街道建成红色驿站11个。东街街道党工委联合区总工会建设。")
    assert "150102004" in found
    assert not {"140403001", "350102004", "610102"} & set(found)


def test_a_village_printed_under_a_town_that_has_none_of_that_name_is_new_there():
    # 郭庄村 of 陵城区 is under another township (371403104), not under 边临镇.
    found = localities("德州市陵城区边临镇郭庄村党支部组织村民修路，郭庄村的党员带头捐款。")
    assert "371403104206" not in found
    (payload,) = [p for p, _ in found.values() if p["name"] == "郭庄村"]
    assert payload.get("new") and payload["parent_code"] == "371403108"


def test_a_village_of_another_town_of_the_county_is_proposed_with_low_confidence():
    found = localities("德州市陵城区边临镇开展人居环境整治。在西角寨村，党员带头清理河道。")
    _, confidence = found["371403104202"]
    assert confidence <= 0.5


def test_a_village_short_form_that_runs_on_into_another_name_is_not_that_village():
    found = localities("陵城区边临镇推进治理，东于架城小区的居民议事会每月召开。")
    assert "371403108256" not in found


@pytest.mark.parametrize(
    "text",
    [
        "少城街道推进辖区老旧小区改造，老旧小区的居民议事会每月召开。",
        "少城街道新建社区服务站，新建社区的居民都来参观。",
        "金泉街道召开会议，乡贤理事会助力乡村振兴。",
        "横泾街道组建强村公司，富民强村发展有限公司带动增收。",
    ],
)
def test_a_kind_of_place_is_not_a_new_place(text):
    assert all(not payload.get("new") for payload, _ in localities(text).values()), localities(text)


def test_a_community_introduced_by_zai_is_a_new_place_under_its_street():
    found = localities("衡阳街道组建物业党建联合体。在秀竹社区，项目经理每天巡查。")
    (payload,) = [p for p, _ in found.values() if p["name"] == "秀竹社区"]
    assert payload["parent_code"] == "450107001"


def test_a_community_named_like_a_village_keeps_its_whole_name():
    found = names("启工街道推进治理。“管家们能把意见带上来。”工人新村社区党委书记王淑芬说。")
    assert "工人新村社区" in found
    assert "工人新村" not in found
