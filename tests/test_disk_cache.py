"""Cache files read back only for the data they were built from; stale or damaged ones are rebuilt."""

from __future__ import annotations

import os

import jieba
import pytest

from cases import disk_cache
from cases.search import jieba_tables, text


@pytest.fixture
def path(tmp_path):
    return tmp_path / "table.marshal"


def test_a_value_reads_back_for_the_version_it_was_written_for(path):
    version = disk_cache.version("words", "东于架村")
    disk_cache.write(path, version, {"东于": (b"\x01", "\n架\n")})
    assert disk_cache.read(path, version) == {"东于": (b"\x01", "\n架\n")}


def test_a_file_written_for_other_inputs_reads_as_absent(path):
    disk_cache.write(path, disk_cache.version("words", "东于架村"), {"a": 1})
    assert disk_cache.read(path, disk_cache.version("words", "西于架村")) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda content: content[: len(content) // 2],  # truncated by a full disk
        lambda content: content[:-1] + bytes([content[-1] ^ 1]),  # one bit of the payload flipped
        lambda content: b"not a cache file at all",
        lambda content: b"",
    ],
    ids=["truncated", "bit-flipped", "foreign", "empty"],
)
def test_a_damaged_file_reads_as_absent(path, damage):
    version = disk_cache.version("words")
    disk_cache.write(path, version, {"word": 1})
    path.write_bytes(damage(path.read_bytes()))
    assert disk_cache.read(path, version) is None


def test_an_unwritable_directory_costs_a_rebuild_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    disk_cache.write(blocker / "table.marshal", disk_cache.version(), {"a": 1})
    assert disk_cache.read(blocker / "table.marshal", disk_cache.version()) is None


@pytest.fixture
def jieba_cache(tmp_path, settings):
    """jieba's tables built into an empty cache directory, then forgotten by this process."""
    settings.JIEBA_CACHE_DIR = tmp_path
    jieba_tables._prefix_dictionary.cache_clear()
    yield tmp_path
    jieba_tables._prefix_dictionary.cache_clear()


@pytest.fixture
def words_cache(tmp_path, settings):
    """An empty directory for the search words' files; jieba's own tables as this process has them
    (building those again cost each test 3 s and is ``jieba_cache``'s business)."""
    jieba_tables.prefix_rows()
    settings.JIEBA_CACHE_DIR = tmp_path
    return tmp_path


def test_a_damaged_jieba_dictionary_cache_is_rebuilt(jieba_cache):
    built = jieba_tables.prefix_dictionary()
    cache_file = jieba_cache / "jieba-prefix-dictionary.marshal"
    cache_file.write_bytes(cache_file.read_bytes()[:1000])
    jieba_tables._prefix_dictionary.cache_clear()
    assert jieba_tables.prefix_dictionary() == built
    jieba_tables._prefix_dictionary.cache_clear()
    assert jieba_tables.prefix_dictionary() == built  # from the rewritten file


def test_search_words_are_cached_by_the_names_they_were_built_from(words_cache, db, monkeypatch):
    with_one = text._build_tokenizer(["鲁村镇"])
    assert with_one.FREQ["鲁村镇"] and not with_one.FREQ.get("少城街道")
    assert text._build_tokenizer(["鲁村镇"]).FREQ == with_one.FREQ  # read back
    with_two = text._build_tokenizer(["鲁村镇", "少城街道"])  # other names: built anew
    assert with_two.FREQ["少城街道"]
    assert list(with_two.cut("少城街道")) == ["少城街道"]
    # Back to the first names: their file is still there (one per version), nothing is built.
    built = []
    monkeypatch.setattr(jieba_tables, "new_tokenizer", lambda *rows: built.append(rows) or jieba.Tokenizer())
    text._build_tokenizer(["鲁村镇"])
    assert len(built) == 1 and built[0] and built[0][0]  # the cached changes replayed


def test_only_the_newest_versions_of_a_table_are_kept(tmp_path):
    for number in range(disk_cache.KEEP_VERSIONS + 2):
        data_version = disk_cache.version(str(number))
        disk_cache.write_version(tmp_path, "table", data_version, number)
        path = disk_cache.versioned_path(tmp_path, "table", data_version)
        os.utime(path, ns=(number * 10**9, number * 10**9))
    kept = sorted(disk_cache.read_any(path)[1] for path in tmp_path.glob("table-*.marshal"))
    assert kept == list(range(2, disk_cache.KEEP_VERSIONS + 2))


def test_a_damaged_search_words_cache_is_rebuilt(words_cache, db):
    built = text._build_tokenizer(["鲁村镇"])
    (cache_file,) = words_cache.glob("search-words-*.marshal")
    cache_file.write_bytes(b"governance-cache 1\n" + b"0" * 100)
    rebuilt = text._build_tokenizer(["鲁村镇"])
    assert rebuilt.FREQ == built.FREQ and rebuilt.total == built.total


def test_a_first_character_table_unpacks_only_the_rows_of_the_keys_it_is_asked_for():
    rows = disk_cache.first_character_rows({"成都": 3, "成都市": 5, "东于架村": 1, "东于": 0})
    table = disk_cache.FirstCharacterTable(rows)
    assert table.get("成都市") == 5 and "成都" in table
    assert "东于" not in table  # its row is not unpacked yet: ``in`` alone does not fill
    assert table["东于架村"] == 1 and "东于" in table
    assert table.get("西于") is None and table.get("") is None
    with pytest.raises(KeyError):
        table["成都县"]


def test_a_first_character_table_is_the_whole_dict_once_iterated_or_compared():
    plain = {"成都": 3, "成都市": 5, "东于架村": 1}
    overlay = disk_cache.first_character_rows({"成都": 9, "鲁村镇": 2})
    table = disk_cache.FirstCharacterTable(disk_cache.first_character_rows(plain), overlay)
    assert table == {"成都": 9, "成都市": 5, "东于架村": 1, "鲁村镇": 2}
    assert sorted(disk_cache.FirstCharacterTable(disk_cache.first_character_rows(plain))) == sorted(plain)
    assert len(disk_cache.FirstCharacterTable(disk_cache.first_character_rows(plain))) == 3


def test_a_filled_first_character_table_answers_get_like_the_table_it_was_before():
    rows = disk_cache.first_character_rows({"成都": 3, "成都市": 5, "东于架村": 1})
    overlay = disk_cache.first_character_rows({"成都": 9, "鲁村镇": 2})
    lazy, filled = disk_cache.FirstCharacterTable(rows, overlay), disk_cache.FirstCharacterTable(rows, overlay)
    filled.fill_all()
    for key in ("成都", "成都市", "东于架村", "鲁村镇", "成都县", "西于"):
        assert filled.get(key) == lazy.get(key)
        assert filled.get(key, 0) == lazy.get(key, 0)
    filled["西于村"] = 4
    assert filled.get("西于村") == 4
