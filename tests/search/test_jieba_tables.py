"""jieba from the project's cache files reads text exactly as jieba on its own does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cases import disk_cache
from cases.search import jieba_tables

ROOT = Path(__file__).resolve().parent.parent.parent
TEXT = "少城街道长城社区党委书记王磊介绍，红色物业联盟今年为居民解决停车难题32件，满意度达到98%。"


@pytest.fixture(scope="module")
def plain_jieba(tmp_path_factory):
    """jieba's own tokeniser and part-of-speech table, built by jieba from dict.txt."""
    jieba = jieba_tables.jieba_module()
    posseg = jieba_tables.posseg()
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path_factory.mktemp("jieba"))
    tokenizer.initialize()
    reference = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
    reference.tokenizer = tokenizer
    reference.load_word_tag(tokenizer.get_dict_file())
    return reference


def test_the_cached_prefix_dictionary_is_jiebas_own(plain_jieba):
    frequencies, total = jieba_tables.prefix_dictionary()
    assert frequencies == plain_jieba.tokenizer.FREQ and total == plain_jieba.tokenizer.total


def test_the_compact_tag_table_gives_every_word_jiebas_tag(plain_jieba):
    tags = jieba_tables.posseg().dt.word_tag_tab
    assert all(tags.get(word, "x") == tag for word, tag in plain_jieba.word_tag_tab.items())
    assert tags.get("不是一个词的词", "x") == "x" and tags.get("", "x") == "x"


def test_part_of_speech_reading_is_the_same_as_jiebas(plain_jieba):
    ours = [(pair.word, pair.flag) for pair in jieba_tables.posseg().cut(TEXT)]
    assert ours == [(pair.word, pair.flag) for pair in plain_jieba.cut(TEXT)]


def test_jieba_is_imported_without_pkg_resources():
    script = (
        "import sys; from cases.search import jieba_tables; jieba_tables.jieba_module(); "
        "print('pkg_resources' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False" and "pkg_resources" not in out.stderr


def test_a_word_tag_cache_of_another_layout_is_rebuilt(settings, tmp_path):
    settings.JIEBA_CACHE_DIR = tmp_path
    posseg = jieba_tables.posseg()
    # The same dictionary's tags as a plain dict (an earlier layout) must not be read as rows.
    disk_cache.write(tmp_path / "jieba-word-tags.marshal", jieba_tables.dictionary_version(), {"社": "区\tn"})
    tags = jieba_tables._word_tags(posseg)
    assert tags.get("社区", "x") == posseg.dt.word_tag_tab.get("社区") != "x"
    assert jieba_tables._word_tags(posseg).rows == tags.rows  # read back from the rewritten file
