"""A public resource of /api/v1/, declared once on its viewset (``resource``) and listed in order in
``views.PUBLIC_VIEWSETS``: the router registers it (``urls.py``) and the data release packages it
(``cases/site/releases.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    name: str  # the URL prefix (/api/v1/<name>/) and the release's table (data/<name>.csv)
    basename: str  # the URL names: api:<basename>-list, api:<basename>-detail
    primary_key: list[str]
    # The foreign keys declared are those the API guarantees: a referenced row is public whenever the
    # referring row is (a published case's place, a public metric's case, indicator and quoted source).
    foreign_keys: tuple[tuple[str, str, str], ...]  # (field, resource, field); resource "" = itself
    description: str  # the table's description in the release (datapackage.json, README.md)

    @property
    def path(self) -> str:
        """The list's path under /api/v1/."""
        return f"/{self.name}/"
