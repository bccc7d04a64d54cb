from __future__ import annotations

from pathlib import Path

import pytest

from cases.ingest.reading import MAX_BYTES, IngestError, decode_bytes
from cases.ingest.splitting import split_page

SEED_PAGE = Path(__file__).resolve().parents[2] / "seeds" / "pages" / "000_b02ca641ce48e5ea.txt"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b"x" * (MAX_BYTES + 1), "5 MB"),
        (b"plain English only", "no Chinese text"),
    ],
)
def test_it_rejects_bad_files_with_a_clear_error(data, message):
    with pytest.raises(IngestError, match=message):
        decode_bytes(data, name="upload.txt")


def test_it_reads_utf8_and_gb18030_alike():
    text = "长城社区有18个小区,引进了13家物业公司。"
    assert decode_bytes(text.encode("utf-8")).encoding == "utf-8"
    read = decode_bytes(text.encode("gb18030"))
    assert (read.text, read.encoding) == (text, "gb18030")


def test_the_seed_page_splits_into_its_six_pieces():
    pieces = split_page(SEED_PAGE.read_text(encoding="utf-8"))
    summary = [(p.kind, p.kicker, p.headline, p.is_truncated) for p in pieces]
    assert summary == [
        ("report", "四川成都市强化物业党建,提升社区治理水平——", "改善社区治理 优化社区服务", True),
        ("commentary", "", "让乡村干部心无旁骛抓落实", False),
        ("photo_caption", "", "左图", False),
        ("photo_caption", "", "下图", False),
        ("report", "天津开讲“红色光影”主题党课——", "激发爱党爱国爱民的情怀担当", False),
        ("report", "山东沂源县", "党建共同体 发展一盘棋", False),
    ]
    chengdu, commentary, left, _, tianjin, _ = pieces
    assert chengdu.column == "深度关注·党旗在基层一线高高飘扬"
    assert chengdu.intertitles[0] == "物业建起党组织,大事小情有看落"
    assert [(c.role, c.name) for c in chengdu.credits] == [("reporter", "史一棋"), ("reporter", "王明峰")]
    assert commentary.column == "红船观澜"
    assert [(c.role, c.name) for c in commentary.credits] == [("author", "孟祥夫")]
    assert [(c.role, c.name) for c in left.credits] == [("photographer", "谢航凯"), ("agency", "人民视觉")]
    text = tianjin.text()
    assert "天津北方电影集团党委" in text and "党史学习教育" in text
    assert "力不从心" in chengdu.text()


def test_a_text_without_seams_is_one_piece():
    pieces = split_page("某某街道近日召开居民议事会,收集意见建议20余条。\n\n会议由街道党工委主持。")
    assert len(pieces) == 1
    assert pieces[0].kind == "report"
