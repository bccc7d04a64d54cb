"""Every setting and every API filter is documented where a newcomer looks for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = sorted(
    set(re.findall(r'env_(?:str|int|bool|list)\(\s*"([A-Z_]+)"', (ROOT / "governance" / "settings.py").read_text()))
)


@pytest.mark.parametrize("variable", SETTINGS_VARIABLES)
def test_every_setting_is_in_the_readme_and_the_env_example(variable):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert f"`{variable}`" in readme, f"{variable} is read in settings.py but missing from README.md's Settings"
    assert re.search(rf"^#? ?{variable}=", example, re.MULTILINE), f"{variable} is missing from .env.example"


def _filtersets():
    from cases.api import urls

    seen = {}
    for pattern in get_resolver(urls).url_patterns:
        view = getattr(pattern.callback, "cls", None)
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            seen[filterset.__name__] = filterset
    return seen


def test_every_api_filter_is_documented():
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    filtersets = _filtersets()
    assert filtersets, "no FilterSet found behind the API's URLs"
    missing = sorted(
        f"{name}.{field}"
        for name, filterset in filtersets.items()
        for field in filterset.base_filters
        if f"`{field}`" not in docs and f"{field}=" not in docs
    )
    assert not missing, f"filters missing from docs/api.md: {missing}"
