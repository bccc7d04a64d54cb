"""The extractor's dictionaries read the same through libyaml's loader as through PyYAML's own."""

from __future__ import annotations

import pytest
import yaml

from cases.extraction import lexicon


@pytest.mark.parametrize("path", sorted(lexicon.DATA_DIR.glob("*.yaml")), ids=lambda path: path.name)
def test_each_dictionary_reads_as_yaml_safe_load_reads_it(path):
    assert lexicon._yaml(path.name) == yaml.safe_load(path.read_text(encoding="utf-8"))
