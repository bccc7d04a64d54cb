"""Files as an editor sends them: Big5, UTF-16 with a BOM, pasted HTML, and a file over the limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.extraction.reading import MAX_BYTES
from cases.models import Candidate, Document, Source
from cases.services.ingest import source_ingest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "articles"


@pytest.mark.parametrize(
    ("filename", "encoding", "phrase"),
    [
        ("21_chongqing_rongchang_big5.txt", "big5", "院壩會上說事"),
        ("22_zhejiang_anji_utf16.txt", "utf-16", "垃圾分类成风尚"),
        ("23_shenzhen_nanshan_html.html", "utf-8", "楼宇党群服务站"),
    ],
)
def test_big5_utf16_and_html_files_are_stored_with_the_right_text(seeded, db, filename, encoding, phrase):
    result = source_ingest(data=(FIXTURES / filename).read_bytes(), filename=filename)
    document = Document.objects.get(pk=result.document.pk)
    assert document.encoding == encoding
    assert phrase in document.text
    assert "<div" not in document.text and "_hmt" not in document.text
    assert Candidate.objects.filter(source__document=document).exists()


def test_no_source_of_a_pasted_page_is_headed_by_page_chrome(seeded, db):
    for name in ("14_shanxi_taiyuan_chrome.txt", "27_guizhou_guiyang_govsite.txt", "23_shenzhen_nanshan_html.html"):
        result = source_ingest(data=(FIXTURES / name).read_bytes(), filename=name)
        for source in Source.objects.filter(document=result.document):
            for field in (source.column, source.kicker, source.headline, source.subheadline):
                assert not any(mark in field for mark in ("首页", ">", "版:", "滑动", "![", "<div", "发布时间")), field


def test_the_ingest_command_refuses_a_file_over_5_mb_with_a_clear_error(db, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes("社区".encode() * (MAX_BYTES // 6 + 1))
    before = Document.objects.count()
    with pytest.raises(CommandError, match=r"big.txt: file is [\d,]+ bytes; the limit is .*5 MB.*Nothing was ingested"):
        call_command("ingest", str(big))
    assert Document.objects.count() == before
