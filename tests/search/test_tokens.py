"""Index tokens of short texts are cut once per tokeniser and follow it when it is rebuilt."""

from __future__ import annotations

import pytest

from cases.search import text

NEW_NAME = "瓴甍湾"  # three rare characters: no word of jieba's dictionary


@pytest.fixture
def fresh_tokenizer(db):
    text.reset_tokenizer()
    yield
    text.reset_tokenizer()


def test_a_short_texts_tokens_are_a_new_list_each_time(fresh_tokenizer):
    first = text.index_tokens("社区物业")
    first.append("changed by the caller")
    assert "changed by the caller" not in text.index_tokens("社区物业")


def test_a_short_text_is_cut_again_by_a_rebuilt_tokenizer(fresh_tokenizer):
    before = text.index_tokens(NEW_NAME + "社区")
    assert NEW_NAME not in before
    text.install_tokenizer([NEW_NAME])
    assert NEW_NAME in text.index_tokens(NEW_NAME + "社区")
    text.reset_tokenizer()
    assert text.index_tokens(NEW_NAME + "社区") == before


def test_short_and_long_texts_are_cut_alike(fresh_tokenizer):
    sentence = "社区党委牵头成立红色物业联盟，"
    long_text = sentence * (text.SHORT_TEXT // len(sentence) + 1)
    assert len(sentence) <= text.SHORT_TEXT < len(long_text)
    assert text.index_tokens(long_text) == text.index_tokens(sentence) * (text.SHORT_TEXT // len(sentence) + 1)
