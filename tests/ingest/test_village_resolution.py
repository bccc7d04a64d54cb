"""Villages and communities in an article resolve to their 12-digit codes by the places around them.

Texts are written for these tests; the places are real gazetteer rows of the fixture gazetteer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from cases import disk_cache
from cases.extraction import gazetteer
from cases.extraction.extract import extract
from cases.models import Locality
from cases.services.ingest import source_ingest

pytestmark = pytest.mark.usefixtures("seeded")


def places(text: str) -> dict[str, tuple[dict, float]]:
    return {f.label: (f.payload, f.confidence) for f in extract(text) if f.fact_type == "locality"}


def coded(text: str) -> dict[str, str]:
    return {payload["name"]: payload["code"] for payload, _ in places(text).values() if "code" in payload}


def test_a_village_under_its_town_gets_its_code():
    found = coded("山东省德州市陵城区边临镇东于架村党支部组织村民修路。")
    assert found["东于架村"] == "371403108256"
    assert found["边临镇"] == "371403108"


def test_a_community_under_its_street_gets_its_code():
    found = coded("少城街道长城社区今年新建了两处议事亭。")
    assert found["长城社区"] == "510105005007"


def test_a_short_form_after_its_town_resolves_too():
    assert coded("边临镇东于架的党员带头捐款。")["东于架村"] == "371403108256"


def test_a_bare_name_with_two_candidates_in_the_county_is_proposed_with_both_and_low_confidence():
    found = places("衡水市故城县推进乡村振兴，郭庄的群众自发成立了红白理事会。")
    (label,) = [label for label in found if label.startswith("郭庄")]
    payload, confidence = found[label]
    assert "code" not in payload
    assert {c["code"] for c in payload["candidates"]} == {"131126107225", "131126108232"}
    assert confidence < 0.5


def test_the_town_settles_which_of_the_two_it_is():
    assert coded("故城县西半屯镇郭庄村的党员带头修路。")["郭庄村"] == "131126108232"


def test_without_any_place_around_it_a_community_gets_no_code():
    found = places("长城社区今年新建了两处议事亭。")
    assert all("code" not in payload or len(payload["code"]) < 12 for payload, _ in found.values())


def test_an_ordinary_word_that_is_also_a_village_short_form_is_not_a_place():
    # 故城县 has villages whose short forms are common words; none is proposed from plain prose.
    found = places("故城县坚持和平发展，团结群众，幸福生活。")
    assert all(payload.get("level") != "community" for payload, _ in found.values())


def test_an_ambiguous_candidate_is_stored_for_review_without_a_code(db):
    result = source_ingest(text="衡水市故城县推进乡村振兴，郭庄的群众自发成立了红白理事会。", title="测试")
    (source,) = result.sources
    candidate = source.candidates.get(fact_type="locality", label__startswith="郭庄")
    assert len(candidate.payload["candidates"]) == 2 and "code" not in candidate.payload


# The gazetteer's tables on disk (cases/extraction/gazetteer.py): read back for the same data, else rebuilt.
def _table_file():
    return gazetteer._villages_path()


def _words(index) -> list[str]:
    return [word for _, _, word in index.find("边临镇东于架村")]


def test_the_village_table_is_read_back_from_disk_for_the_same_data():
    fingerprint = gazetteer._village_fingerprint()
    built = gazetteer.village_index(fingerprint)
    assert _table_file().exists()
    assert gazetteer.village_index(fingerprint).table == built.table
    assert {"东于架", "东于架村"} <= set(_words(built))


def test_a_village_table_of_other_data_is_rebuilt():
    gazetteer.village_index(gazetteer._village_fingerprint())
    other = ("a fingerprint of", "other data")
    rebuilt = gazetteer.village_index(other)
    assert {"东于架", "东于架村"} <= set(_words(rebuilt))
    assert disk_cache.read(_table_file(), gazetteer._village_version(other)) is not None


@pytest.mark.parametrize("content", [b"", b"governance-cache 1\nnonsense\n", b"\x00" * 4096])
def test_a_damaged_village_table_is_rebuilt_not_a_crash(content):
    fingerprint = gazetteer._village_fingerprint()
    gazetteer.village_index(fingerprint)
    _table_file().write_bytes(content)
    rebuilt = gazetteer.village_index(fingerprint)
    assert {"东于架", "东于架村"} <= set(_words(rebuilt))


def test_a_table_read_in_the_background_is_the_one_extraction_uses():
    fingerprint = gazetteer._village_fingerprint()
    expected = gazetteer.village_index(fingerprint).table
    gazetteer._cache.clear()
    gazetteer.preload_villages()
    assert _table_file() in gazetteer._preloads
    assert gazetteer.get_gazetteer().villages.table == expected
    assert not gazetteer._preloads
    assert coded("山东省德州市陵城区边临镇东于架村党支部组织村民修路。")["东于架村"] == "371403108256"


def test_a_renamed_township_is_found_by_its_new_name_at_the_next_extraction(db):
    text = "山东省德州市陵城区边临新镇东于架村党支部组织村民修路。"
    assert "边临新镇" not in coded(text)
    township = Locality.objects.get(code="371403108")
    township.name = "边临新镇"
    township.save()
    assert coded(text)["边临新镇"] == "371403108"


def _upper_files() -> list[Path]:
    return list(Path(settings.GAZETTEER_CACHE_DIR).glob(f"{gazetteer._upper_stem()}-*.marshal"))


def test_the_gazetteer_read_back_from_disk_finds_what_the_one_built_from_the_database_finds():
    text = "四川省成都市青羊区少城街道与山东省德州市陵城区边临镇联合开展调研，沂源县、成都参加。"
    for cached in _upper_files():
        cached.unlink()
    gazetteer._cache.clear()
    built = gazetteer.get_gazetteer()  # from the database's rows (and written to disk)
    assert len(_upper_files()) == 1
    gazetteer._cache.clear()
    read_back = gazetteer.get_gazetteer()  # the compiled tables of the disk cache
    assert read_back is not built
    assert read_back.find(text) == built.find(text) and read_back.find(text)
    assert all(name in read_back.entries for _, _, name, _ in built.find(text))
    township = next(entries[0].place for _, _, name, entries in read_back.find(text) if name == "少城街道")
    assert read_back.parent(township).name == "青羊区"
