"""Dependencies run one way (docs/architecture.md): api and admin → services → extraction, search → models.

``cases.statements`` (SQL compiled once per process) sits below them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent.parent / "cases"

# package: the sibling packages it must never import
FORBIDDEN = {
    "models": ("cases.api", "cases.admin", "cases.search", "cases.services", "cases.extraction", "cases.site"),
    "search": ("cases.api", "cases.admin", "cases.services", "cases.site"),
    "extraction": ("cases.api", "cases.admin", "cases.services", "cases.site"),
    "services": ("cases.api", "cases.admin", "cases.site"),
    "api": ("cases.site", "cases.admin"),
    "admin": ("cases.site", "cases.api"),
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_lower_layer_imports_nothing_from_the_layers_above_it(package):
    assert (CASES / package / "__init__.py").exists() or any((CASES / package).glob("*.py")), package
    offending = sorted(
        f"{path.relative_to(CASES.parent)} imports {module}"
        for path in (CASES / package).rglob("*.py")
        for module in imported_modules(path)
        if module.startswith(FORBIDDEN[package])
    )
    assert not offending, offending


def test_the_compiled_statements_depend_on_django_alone():
    # Search and the API both run their per-page statements through it: it sits below both.
    own = sorted(m for m in imported_modules(CASES / "statements.py") if m.startswith("cases"))
    assert not own, own
