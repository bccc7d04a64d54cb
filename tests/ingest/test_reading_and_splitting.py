from __future__ import annotations

from pathlib import Path

import pytest

from cases.extraction.reading import MAX_BYTES, IngestError, decode_bytes
from cases.extraction.splitting import split_page

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


def test_big5_and_utf16_with_a_bom_are_read_and_say_which_encoding_was_used():
    text = "重慶榮昌區昌元街道的社區黨委書記陳小琴說，院壩會上居民提出的問題當場解決。"
    read = decode_bytes(text.encode("big5"), name="page.txt")
    assert (read.text, read.encoding) == (text, "big5")
    read = decode_bytes("长城社区有18个小区,引进了13家物业公司。".encode("utf-16"), name="page.txt")
    assert (read.text, read.encoding) == ("长城社区有18个小区,引进了13家物业公司。", "utf-16")


def test_random_bytes_that_decode_as_gb18030_are_refused():
    import random

    rng = random.Random(12)
    data = bytes(rng.randint(0x81, 0xFE) for _ in range(20000))
    data.decode("gb18030")  # decodes without an error: that proves nothing
    with pytest.raises(IngestError, match="common ones"):
        decode_bytes(data, name="random.bin")


def test_an_html_page_gives_its_main_text_without_menus_or_scripts():
    html = (
        "<html><head><title>某某街道：院落自治</title><script>var a = 1;</script></head><body>"
        '<div class="nav"><a>首页</a> &gt; <a>地方</a> &gt; 正文</div><ul><li>要闻</li><li>视频</li></ul>'
        "<div id='content'><p>某某街道有无物业院落47个。街道党工委推动院落成立自治小组，由党员和热心居民担任院落长。</p>"  # noqa: E501
        "<p>今年已有32个院落实现自治管理，居民自筹资金18万元改造院落环境。</p></div>"
        "<div class='foot'>上一篇：某某 下一篇：某某</div></body></html>"
    )
    read = decode_bytes(html.encode("utf-8"), name="page.html")
    assert read.was_html
    assert "院落长" in read.text and "32个院落" in read.text
    assert "<div" not in read.text and "var a" not in read.text
    # A footer line trafilatura keeps is page chrome to the splitter: no source holds it.
    assert all("上一篇" not in piece.text() for piece in split_page(read.text))


def test_page_chrome_never_heads_a_piece_and_bylines_are_read_in_every_form():
    page = (
        "首页 > 基层治理 > 正文\n\n00022版:今日某地\n\n‹向左滑动查看更多>\n\n![](http://x/a.jpg)\n\n"
        "社区微网格——\n\n小网格撬动大治理\n\n本报记者 王 磊 李 明 通讯员 张华\n\n"
        "某某社区是一个老旧小区集中的社区。社区党委书记刘芳介绍了情况。\n\n"
        "近年来社区解决问题30余个。（赵 芳、钱 程）\n\n文|林 晓 燕\n"
    )
    pieces = split_page(page)
    assert len(pieces) == 1
    piece = pieces[0]
    assert (piece.column, piece.kicker, piece.headline, piece.subheadline) == (
        "",
        "社区微网格——",
        "小网格撬动大治理",
        "",
    )
    assert [(c.role, c.name) for c in piece.credits] == [
        ("reporter", "王磊"),
        ("reporter", "李明"),
        ("reporter", "张华"),
        ("author", "林晓燕"),
        ("reporter", "赵芳"),
        ("reporter", "钱程"),
    ]
    assert "首页" not in piece.text() and "![](" not in piece.text()


def test_a_masthead_in_a_byline_is_an_outlet_not_a_reporter():
    piece = split_page("某某社区新事\n\n辽沈晚报记者 孙 浩\n\n社区下辖11个小区。")[0]
    assert [(c.role, c.name) for c in piece.credits] == [("agency", "辽沈晚报"), ("reporter", "孙浩")]


@pytest.mark.parametrize(
    ("page", "credits"),
    [
        (
            "某某社区议事会开起来了\n\n本报讯（记者 王磊 通讯员 李 明）近日，某某社区召开议事会，收集意见20条。",
            [("reporter", "王磊"), ("reporter", "李明")],
        ),
        (
            "某某新闻标题\n\n新华社北京3月5日电（记者 周 宁）某某社区召开议事会。",
            [("agency", "新华社"), ("reporter", "周宁")],
        ),
        ("某某新闻标题\n\n本报记者 王磊 报道\n\n某某社区召开议事会，收集意见20条。", [("reporter", "王磊")]),
        ("图为居民在议事会上发言。（王磊 摄）", [("photographer", "王磊")]),
        ("某某新闻标题\n\n□ 记者 王磊\n\n某某社区召开议事会，收集意见20条。", [("reporter", "王磊")]),
    ],
)
def test_credits_opening_a_report_ending_in_a_verb_or_inside_a_caption(page, credits):
    assert [(c.role, c.name) for piece in split_page(page) for c in piece.credits] == credits
